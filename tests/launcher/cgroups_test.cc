// The container's cgroup: at the relative linux.cgroupsPath (below launch's own cgroup), with
// linux.resources applied, and gone afterwards.
#include <gtest/gtest.h>
#include <signal.h>

#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

// The container process's cgroup for a v1 controller ("pids") from /proc/PID/cgroup.
std::string cgroup_of(const std::string& pid, const std::string& controller) {
  std::istringstream lines(read_text("/proc/" + pid + "/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string names = line.substr(first + 1, second - first - 1);
    if (("," + names + ",").find("," + controller + ",") != std::string::npos)
      return line.substr(second + 1);
  }
  return "";
}

TEST(Cgroups, CreatedAtTheRelativePathWithResourcesAndRemoved) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 42}};
  bundle.config()["linux"]["resources"]["memory"] = {{"limit", 64 * 1024 * 1024}};
  bundle.shell("cat /proc/self/cgroup; echo ready; exec sleep 30");
  std::string pid_file = bundle.dir() + "/pid";
  Running running = bundle.start({"--pid-file", pid_file});
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  std::string pid = read_text(pid_file);
  std::string own_pids = cgroup_of("self", "pids");
  std::string pids = cgroup_of(pid, "pids");
  EXPECT_EQ(pids, (own_pids == "/" ? "" : own_pids) + "/" + bundle.cgroup_name());
  EXPECT_EQ(read_text("/sys/fs/cgroup/pids" + pids + "/pids.max"), "42\n");
  std::string memory = cgroup_of(pid, "memory");
  EXPECT_EQ(memory.substr(memory.rfind('/') + 1), bundle.cgroup_name());
  EXPECT_EQ(read_text("/sys/fs/cgroup/memory" + memory + "/memory.limit_in_bytes"), "67108864\n");
  // Without a cgroup namespace the container sees the same path.
  EXPECT_NE(running.out().find(bundle.cgroup_name()), std::string::npos) << running.out();
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait().exit_code, 128 + SIGTERM);
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, OwnCgroupAtSysFsCgroupWithoutANamespace) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 7}};
  bundle.config()["linux"]["resources"]["memory"] = {{"limit", 64 * 1024 * 1024}};
  // As under runc: the container's own directory of each hierarchy, not launch's caller's.
  bundle.shell("cat /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/memory/memory.limit_in_bytes");
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "7\n67108864\n") << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, PidsLimitHoldsInside) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 5}};
  // husk, sh and four sleeps fill it: the sixth fork fails.
  bundle.shell("cat /sys/fs/cgroup/pids/pids.max; for i in 1 2 3 4 5 6; do sleep 1 & done; wait");
  bundle.set_namespace("cgroup");
  RunResult result = bundle.run();
  EXPECT_EQ(result.out, "5\n") << result.err;
  EXPECT_NE(result.err.find("can't fork: Resource temporarily unavailable"), std::string::npos)
      << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, CgroupNamespaceRootIsTheContainersCgroup) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.set_namespace("cgroup");
  bundle.shell("grep pids /proc/self/cgroup");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.substr(result.out.find(':')), ":pids:/\n") << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
