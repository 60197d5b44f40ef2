// The container's cgroup: at the relative linux.cgroupsPath (below launch's own cgroup), with
// linux.resources applied, and gone afterwards.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/statfs.h>

#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

// The host's layout, as the tests see it from outside: a controller is on v1 when
// /proc/self/cgroup names it; otherwise it is on the v2 hierarchy (/sys/fs/cgroup on a unified
// host, /sys/fs/cgroup/unified on a hybrid one).
bool on_v1(const std::string& controller) {
  std::istringstream lines(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string names = line.substr(first + 1, second - first - 1);
    if (("," + names + ",").find("," + controller + ",") != std::string::npos) return true;
  }
  return false;
}

std::string v2_mount() {
  struct statfs st {};
  if (::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return "/sys/fs/cgroup";
  return "/sys/fs/cgroup/unified";
}

// The cgroup of PID for `controller` from /proc/PID/cgroup: the v1 line naming it, or the v2
// line ("0::PATH") when no v1 hierarchy has it.
std::string cgroup_of(const std::string& pid, const std::string& controller) {
  std::istringstream lines(read_text("/proc/" + pid + "/cgroup"));
  std::string v2;
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string names = line.substr(first + 1, second - first - 1);
    if (("," + names + ",").find("," + controller + ",") != std::string::npos)
      return line.substr(second + 1);
    if (line.starts_with("0::")) v2 = line.substr(3);
  }
  return v2;
}

// The host directory of PID's cgroup for `controller`.
std::string cgroup_dir(const std::string& pid, const std::string& controller) {
  std::string path = cgroup_of(pid, controller);
  return (on_v1(controller) ? "/sys/fs/cgroup/" + controller : v2_mount()) +
         (path == "/" ? "" : path);
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
  EXPECT_EQ(read_text(cgroup_dir(pid, "pids") + "/pids.max"), "42\n");
  std::string memory = cgroup_of(pid, "memory");
  EXPECT_EQ(memory.substr(memory.rfind('/') + 1), bundle.cgroup_name());
  EXPECT_EQ(read_text(cgroup_dir(pid, "memory") +
                      (on_v1("memory") ? "/memory.limit_in_bytes" : "/memory.max")),
            "67108864\n");
  // Without a cgroup namespace the container sees the same path.
  EXPECT_NE(running.out().find(bundle.cgroup_name()), std::string::npos) << running.out();
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait().exit_code, 128 + SIGTERM);
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, PidsLimitHoldsInside) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 5}};
  // husk, sh and four sleeps fill it: the sixth fork fails.
  const std::string file =
      on_v1("pids") ? "/sys/fs/cgroup/pids/pids.max" : "/sys/fs/cgroup/pids.max";
  bundle.shell("cat " + file + "; for i in 1 2 3 4 5 6; do sleep 1 & done; wait");
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
  bundle.shell("cat /proc/self/cgroup");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Every line, v1 or v2, says the root of its hierarchy.
  std::istringstream lines(result.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(line.ends_with(":/")) << line;
  }
  EXPECT_GT(count, 0);
  if (on_v1("pids")) {
    EXPECT_NE(result.out.find(":pids:/\n"), std::string::npos) << result.out;
  } else {
    EXPECT_NE(result.out.find("0::/\n"), std::string::npos) << result.out;
  }
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
