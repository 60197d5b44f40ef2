// What a container's cgroup costs at start-up: create + apply a typical resources block +
// destroy, on the host's real hierarchy, below the benchmark's own cgroup.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <string>

#include "cgroups.h"
#include "plan.h"

namespace husk::cgroups {
namespace {

// What Docker/containerd put in a default container's linux.resources, give or take.
Resources typical() {
  Resources r;
  r.memory = MemoryLimits{.limit = 256 << 20, .swap = 512 << 20};
  r.cpu = CpuLimits{.shares = 1024, .quota = 100000, .period = 100000};
  r.pids = PidsLimit{1024};
  r.devices = {DeviceRule{.allow = false, .access = "rwm"}};
  for (const auto& [major, minor] : std::vector<std::pair<int, int>>{
           {1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}}) {
    r.devices.push_back(
        DeviceRule{.allow = true, .type = 'c', .major = major, .minor = minor, .access = "rwm"});
  }
  r.devices.push_back(DeviceRule{.allow = true, .type = 'c', .major = 136, .access = "rwm"});
  return r;
}

void run(benchmark::State& state, const Resources& resources) {
  auto hierarchy = detect();
  if (!hierarchy.ok()) {
    state.SkipWithError(hierarchy.error().text().c_str());
    return;
  }
  const std::string path = "husk-bench-" + std::to_string(::getpid());
  for (auto _ : state) {
    auto cg = Cgroup::create(*hierarchy, path, "bench", resources);
    if (!cg.ok()) {
      state.SkipWithError(cg.error().text().c_str());
      return;
    }
    if (auto destroyed = cg->destroy(); !destroyed.ok()) {
      state.SkipWithError(destroyed.error().text().c_str());
      return;
    }
  }
}

void BM_CreateApplyDestroy_Typical(benchmark::State& state) { run(state, typical()); }
BENCHMARK(BM_CreateApplyDestroy_Typical)->Unit(benchmark::kMicrosecond);

void BM_CreateDestroy_NoResources(benchmark::State& state) { run(state, Resources{}); }
BENCHMARK(BM_CreateDestroy_NoResources)->Unit(benchmark::kMicrosecond);

// Moving one process into a container's cgroup, in every hierarchy: the other half of the
// start-up cost. The process goes back and forth between two cgroups.
void BM_AddProcess(benchmark::State& state) {
  auto hierarchy = detect();
  if (!hierarchy.ok()) {
    state.SkipWithError(hierarchy.error().text().c_str());
    return;
  }
  const std::string base = "husk-bench-" + std::to_string(::getpid());
  auto a = Cgroup::create(*hierarchy, base + "-a", "bench", Resources{});
  auto b = Cgroup::create(*hierarchy, base + "-b", "bench", Resources{});
  const pid_t child = ::fork();
  if (child == 0) {
    ::pause();
    ::_exit(0);
  }
  if (a.ok() && b.ok()) {
    bool to_a = true;
    for (auto _ : state) {
      if (auto added = (to_a ? *a : *b).add_process(child); !added.ok()) {
        state.SkipWithError(added.error().text().c_str());
        break;
      }
      to_a = !to_a;
    }
  } else {
    state.SkipWithError("cannot create the cgroups");
  }
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  for (auto* cg : {&a, &b}) {
    if (cg->ok()) (void)(*cg)->destroy();
  }
}
BENCHMARK(BM_AddProcess)->Unit(benchmark::kMicrosecond);

void BM_Detect(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(detect());
}
BENCHMARK(BM_Detect)->Unit(benchmark::kMicrosecond);

void BM_Plan_Typical(benchmark::State& state) {
  auto hierarchy = detect();
  const Resources resources = typical();
  if (!hierarchy.ok()) {
    state.SkipWithError(hierarchy.error().text().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(plan(resources, *hierarchy));
}
BENCHMARK(BM_Plan_Typical)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace husk::cgroups
BENCHMARK_MAIN();
