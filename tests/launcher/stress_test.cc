// Stress, bounded in time: many containers one after another and many at once, with a check of
// the host after each batch: its mount table, the containers' cgroups, state and processes, and
// the fds of the process that runs launch are exactly as before.
#include <dirent.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bundle.h"

namespace husk::e2e {
namespace {

using Clock = std::chrono::steady_clock;

// The fds this process holds, as "N -> target" lines.
std::set<std::string> own_fds() {
  std::set<std::string> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  int skip = ::dirfd(dir);
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || name == std::to_string(skip)) continue;
    char target[4096];
    ssize_t n = ::readlink(("/proc/self/fd/" + name).c_str(), target, sizeof target - 1);
    fds.insert(name + " -> " + std::string(target, n > 0 ? static_cast<size_t>(n) : 0));
  }
  ::closedir(dir);
  return fds;
}

// What the host looks like from here, for before/after comparisons.
struct HostSnapshot {
  std::string mountinfo = read_text("/proc/self/mountinfo");
  std::set<std::string> fds = own_fds();
};

void expect_host_unchanged(const HostSnapshot& before, const std::string& when) {
  HostSnapshot after;
  EXPECT_EQ(after.mountinfo, before.mountinfo) << "a mount is left " << when;
  EXPECT_EQ(after.fds, before.fds) << "an fd is left " << when;
}

TEST(Stress, TwoHundredContainersInSequenceLeaveNothing) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("exit 3");
  bundle.write_config();
  HostSnapshot before;
  auto start = Clock::now();
  constexpr int kBatches = 4, kPerBatch = 50;
  for (int batch = 0; batch < kBatches; ++batch) {
    for (int i = 0; i < kPerBatch; ++i) {
      RunResult result = bundle.run();
      ASSERT_EQ(result.exit_code, 3) << "container " << batch * kPerBatch + i << ": " << result.err;
      ASSERT_EQ(result.err, "");
    }
    std::string when = "after " + std::to_string((batch + 1) * kPerBatch) + " containers";
    ASSERT_EQ(bundle.leftovers(), "") << when;
    expect_host_unchanged(before, when);
  }
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  RecordProperty("containers_per_second",
                 std::to_string(static_cast<int>(kBatches * kPerBatch / seconds)));
}

TEST(Stress, FiftyContainersAtOnceAllSucceedAndLeaveNothing) {
  HUSK_E2E_REQUIRE_ROOT();
  constexpr int kCount = 50;
  std::vector<std::unique_ptr<Bundle>> bundles;
  for (int i = 0; i < kCount; ++i) {
    bundles.push_back(std::make_unique<Bundle>());
    bundles.back()->shell("echo $(hostname) " + std::to_string(i));
  }
  HostSnapshot before;
  std::vector<Running> running;
  running.reserve(kCount);
  for (auto& bundle : bundles) running.push_back(bundle->start());
  for (int i = 0; i < kCount; ++i) {
    RunResult result = running[i].wait(60000);
    EXPECT_EQ(result.exit_code, 0) << "container " << i << ": " << result.err;
    EXPECT_EQ(result.out, "husk " + std::to_string(i) + "\n") << "container " << i;
  }
  running.clear();
  for (auto& bundle : bundles) EXPECT_EQ(bundle->leftovers(), "");
  expect_host_unchanged(before, "after 50 concurrent containers");
}

}  // namespace
}  // namespace husk::e2e
