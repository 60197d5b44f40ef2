// Fault injection: launch built with -Dfault_injection=true fails on purpose at the set-up step
// HUSK_FAULT names. After a failure at any step: one line on stderr, a non-zero exit, and the
// host exactly as before (mount table, the container's cgroup, state and processes, the caller's
// fds).
#include <dirent.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <string>

#include "bundle.h"

namespace husk::e2e {
namespace {

std::set<std::string> own_fds() {
  std::set<std::string> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || name == std::to_string(::dirfd(dir))) continue;
    fds.insert(name);
  }
  ::closedir(dir);
  return fds;
}

// Every kind of step: the cgroup, each kind of mount, pivot_root, the paths made read-only or
// masked after it, before and after each list of hooks that can stop the start, the exec.
const char* const kSteps[] = {
    "cgroup",
    "mount:proc",
    "mount:tmpfs",
    "mount:devpts",
    "mount:mqueue",
    "mount:sysfs",
    "mount:cgroup",
    "mount:bind",
    "pivot_root",
    "masked and read-only paths",
    "before:prestart",
    "after:prestart",
    "before:createRuntime",
    "after:createRuntime",
    "before:createContainer",
    "after:createContainer",
    "before:startContainer",
    "after:startContainer",
    "exec",
};

class Faults : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, cgroups)";
    // meson sets it when launch is built with -Dfault_injection=true.
    if (::getenv("HUSK_FAULT_INJECTION") == nullptr)
      GTEST_SKIP() << "launch was built without -Dfault_injection=true";
    nlohmann::json hook = {{"path", "/bin/true"}};
    for (const char* list : {"prestart", "createRuntime", "createContainer", "startContainer",
                             "poststart", "poststop"}) {
      bundle_.config()["hooks"][list] = {hook};
    }
    bundle_.config()["mounts"].push_back({{"destination", "/mnt"},
                                          {"type", "bind"},
                                          {"source", bundle_.dir() + "/shared"},
                                          {"options", {"rbind", "ro"}}});
    ::mkdir((bundle_.dir() + "/shared").c_str(), 0755);
    bundle_.shell("echo ran");
  }

  RunResult run_with_fault(const std::string& step) {
    ::setenv("HUSK_FAULT", step.c_str(), 1);
    RunResult result = bundle_.run();
    ::unsetenv("HUSK_FAULT");
    return result;
  }

  Bundle bundle_;
};

TEST_P(Faults, AFailureAtAnyStepIsOneLineAndLeavesTheHostAsItWas) {
  const std::string step = GetParam();
  std::string mountinfo = read_text("/proc/self/mountinfo");
  std::set<std::string> fds = own_fds();
  RunResult result = run_with_fault(step);
  EXPECT_NE(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("fault injected at " + step), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(bundle_.leftovers(), "");
  EXPECT_EQ(read_text("/proc/self/mountinfo"), mountinfo);
  EXPECT_EQ(own_fds(), fds);
  // The same bundle runs once the fault is gone: nothing stale stands in its way.
  RunResult clean = bundle_.run();
  EXPECT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(clean.out, "ran\n");
  EXPECT_EQ(bundle_.leftovers(), "");
}

INSTANTIATE_TEST_SUITE_P(Steps, Faults, ::testing::ValuesIn(kSteps),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             c = isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return name;
                         });

}  // namespace
}  // namespace husk::e2e
