// The CPU-bound parts of launch's start-up, without a container: parsing config.json (the
// `parse` phase of `launch --debug`) and compiling a seccomp profile (part of `prepare`).
//
// The seccomp profile is an allow-list of every syscall libseccomp knows for this architecture,
// on the three x86 architectures, with an errno default: the shape of the default profiles of
// Docker, Podman and Kubernetes' RuntimeDefault (about 350 names).
#include <seccomp.h>

#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>
#include <string>

#include "oci_config.h"
#include "seccomp_filter.h"

namespace husk {
namespace {

std::string read_corpus(const char* name) {
  std::ifstream in(std::string(HUSK_CORPUS_DIR) + "/" + name);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void BM_ParseConfig(benchmark::State& state, const char* name) {
  const std::string text = read_corpus(name);
  for (auto _ : state) {
    auto config = oci::parse_config(text);
    if (!config.ok()) {
      state.SkipWithError(config.error().text().c_str());
      return;
    }
    benchmark::DoNotOptimize(config);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK_CAPTURE(BM_ParseConfig, runc_spec, "runc-spec.json")->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_ParseConfig, full, "full.json")->Unit(benchmark::kMicrosecond);

oci::Seccomp default_like_profile(bool all_arches) {
  oci::Seccomp profile;
  profile.default_action = "SCMP_ACT_ERRNO";
  if (all_arches) profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  oci::SeccompSyscall allow;
  allow.action = "SCMP_ACT_ALLOW";
  for (int nr = 0; nr < 1024; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(seccomp_arch_native(), nr);
    if (name == nullptr) continue;
    allow.names.emplace_back(name);
    free(name);
  }
  profile.syscalls.push_back(std::move(allow));
  return profile;
}

void BM_CompileSeccomp(benchmark::State& state) {
  const oci::Seccomp profile = default_like_profile(state.range(0) != 0);
  for (auto _ : state) {
    auto compiled = process::compile_seccomp(profile);
    if (!compiled.ok()) {
      state.SkipWithError(compiled.error().text().c_str());
      return;
    }
    benchmark::DoNotOptimize(compiled);
  }
  state.counters["syscalls"] = static_cast<double>(profile.syscalls[0].names.size());
}
BENCHMARK(BM_CompileSeccomp)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("three_arches")
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace husk

BENCHMARK_MAIN();
