// The systemd cgroup driver (--systemd-cgroup): the container's cgroup is a transient scope
// that launch asks systemd for over D-Bus, with the container's init in it, delegated, in the
// slice of "slice:prefix:name"; resources systemd owns are the scope's properties, the rest
// are written to its files; delete (and the end of a foreground run) stops the scope.
//
// Needs systemd as PID 1 on a cgroup v2 host: the tests skip elsewhere. They run in the VM with
// systemd booted: HUSK_VM_INIT=systemd tests/vm/run meson test -C build --no-rebuild
// launch_systemd_test (tests/README.md). The host's state is read from outside with systemctl
// and the cgroup files; the container's from inside.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

namespace fs = std::filesystem;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool systemd_is_pid1() {
  return read_text("/proc/1/comm") == "systemd\n" && fs::exists("/run/systemd/private") &&
         fs::exists("/sys/fs/cgroup/cgroup.controllers");
}

// `systemctl show --value -p NAME UNIT`: the value and a newline.
std::string show(const std::string& unit, const std::string& property) {
  std::string command = "systemctl show --value -p " + property + " " + unit;
  FILE* pipe = ::popen(command.c_str(), "re");
  if (pipe == nullptr) return "popen failed";
  std::string out;
  char buf[512];
  for (size_t n; (n = ::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

struct Cmd {
  int code = -1;
  std::string out, err;
};

// `launch --root STATE ARGS...` with its output in files: a created container keeps launch's
// stdio, so pipes would stay open until it ends.
Cmd launch(const Bundle& bundle, std::vector<std::string> args) {
  static int serial = 0;
  std::string base = bundle.dir() + "/cmd" + std::to_string(++serial);
  args.insert(args.begin(), {Bundle::launch_path(), "--root", bundle.state_root()});
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open((base + ".out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = ::open((base + ".err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (in < 0 || out < 0 || err < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 ||
        ::dup2(err, 2) < 0)
      ::_exit(126);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  Cmd cmd;
  int status = 0;
  if (pid > 0 && ::waitpid(pid, &status, 0) == pid && WIFEXITED(status))
    cmd.code = WEXITSTATUS(status);
  cmd.out = read_text(base + ".out");
  cmd.err = read_text(base + ".err");
  return cmd;
}

class SystemdTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HUSK_E2E_REQUIRE_ROOT();
    if (!systemd_is_pid1())
      GTEST_SKIP() << "systemd is not PID 1 on a cgroup v2 host here (run it in the VM: "
                      "HUSK_VM_INIT=systemd tests/vm/run, see tests/README.md)";
    unit_ = "husk-e2e-" + bundle_.cgroup_name() + ".scope";
    cgroup_ = "/sys/fs/cgroup/system.slice/" + unit_;
    bundle_.config()["linux"]["cgroupsPath"] = "system.slice:husk-e2e:" + bundle_.cgroup_name();
  }
  // The scope is gone: systemd forgot the unit and removed its cgroup.
  std::string scope_left() {
    std::string left;
    std::string state = show(unit_, "LoadState");
    if (state != "not-found\n") left += unit_ + " LoadState=" + state;
    if (fs::exists(cgroup_)) left += cgroup_ + " exists";
    return left + bundle_.leftovers();
  }

  Bundle bundle_;
  std::string unit_;
  std::string cgroup_;
};

TEST_F(SystemdTest, ARunIsATransientScopeWithItsLimits) {
  nlohmann::json& resources = bundle_.config()["linux"]["resources"];
  resources["memory"] = {{"limit", 64 << 20}};
  resources["pids"] = {{"limit", 20}};
  resources["cpu"] = {{"quota", 50000}, {"period", 100000}};
  resources["unified"] = {{"memory.high", "50331648"}};  // no property: written to the file
  bundle_.shell(
      "cat /proc/self/cgroup /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max "
      "/sys/fs/cgroup/cpu.max /sys/fs/cgroup/memory.high; echo ready; exec sleep 1000");
  Running running = bundle_.start({"--systemd-cgroup"});
  if (!running.wait_for_output("ready", 20000)) {
    RunResult result = running.wait(20000);
    FAIL() << result.out << result.err;
  }
  EXPECT_EQ(running.out(),
            "0::/system.slice/" + unit_ + "\n67108864\n20\n50000 100000\n50331648\nready\n");
  // From outside: systemd knows the scope, delegated, with the limits as its properties.
  const std::map<std::string, std::string> expected = {
      {"ActiveState", "active"}, {"Slice", "system.slice"}, {"Delegate", "yes"},
      {"MemoryMax", "67108864"}, {"TasksMax", "20"},        {"CPUQuotaPerSecUSec", "500ms"}};
  for (const auto& [property, value] : expected)
    EXPECT_EQ(show(unit_, property), value + "\n") << property;
  EXPECT_TRUE(show(unit_, "Description").starts_with("husk container "));
  EXPECT_NE(read_text(cgroup_ + "/cgroup.procs"), "");
  running.signal(SIGTERM);  // forwarded to the container; launch then stops the scope
  RunResult result = running.wait(20000);
  EXPECT_EQ(result.exit_code, 143) << result.err;
  EXPECT_EQ(scope_left(), "");
}

TEST_F(SystemdTest, CreateStartDeleteStopsTheScope) {
  bundle_.shell("echo started; exec sleep 1000");
  std::string id = "e2e-" + bundle_.cgroup_name();
  bundle_.write_config();
  Cmd created = launch(bundle_, {"--systemd-cgroup", "create", "--bundle", bundle_.dir(), id});
  ASSERT_EQ(created.code, 0) << created.err;
  EXPECT_EQ(show(unit_, "ActiveState"), "active\n");
  Cmd state = launch(bundle_, {"state", id});
  EXPECT_NE(state.out.find("\"status\": \"created\""), std::string::npos) << state.out;
  Cmd started = launch(bundle_, {"--systemd-cgroup", "start", id});
  EXPECT_EQ(started.code, 0) << started.err;
  Cmd deleted = launch(bundle_, {"--systemd-cgroup", "delete", "--force", id});
  EXPECT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_EQ(scope_left(), "");
}

TEST_F(SystemdTest, UpdateSetsThePropertyAndTheFile) {
  bundle_.config()["linux"]["resources"]["pids"] = {{"limit", 20}};
  bundle_.shell("exec sleep 1000");
  std::string id = "e2e-" + bundle_.cgroup_name();
  bundle_.write_config();
  Cmd created = launch(bundle_, {"--systemd-cgroup", "create", "--bundle", bundle_.dir(), id});
  ASSERT_EQ(created.code, 0) << created.err;
  Cmd updated = launch(bundle_, {"--systemd-cgroup", "update", "--pids-limit", "30", id});
  EXPECT_EQ(updated.code, 0) << updated.err;
  EXPECT_EQ(show(unit_, "TasksMax"), "30\n");
  EXPECT_EQ(read_text(cgroup_ + "/pids.max"), "30\n");
  Cmd deleted = launch(bundle_, {"--systemd-cgroup", "delete", "--force", id});
  EXPECT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_EQ(scope_left(), "");
}

TEST_F(SystemdTest, APathThatIsNotSlicePrefixNameIsOneLineAndLeavesNothing) {
  bundle_.config()["linux"]["cgroupsPath"] = "/husk/" + bundle_.cgroup_name();
  RunResult result = bundle_.run({"--systemd-cgroup"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "launch: error: linux.cgroupsPath: \"/husk/" + bundle_.cgroup_name() +
                            "\": the systemd cgroup driver expects \"slice:prefix:name\"\n");
  EXPECT_EQ(scope_left(), "");
}

// A second container on the same scope: systemd refuses the unit, the first one is untouched.
TEST_F(SystemdTest, TheSameScopeTwiceIsRefused) {
  bundle_.shell("echo ready; exec sleep 1000");
  Running first = bundle_.start({"--systemd-cgroup"});
  if (!first.wait_for_output("ready", 20000)) {
    RunResult result = first.wait(20000);
    FAIL() << result.out << result.err;
  }
  Bundle second;
  second.config()["linux"]["cgroupsPath"] = bundle_.config()["linux"]["cgroupsPath"];
  second.shell("echo second");
  RunResult refused = second.run({"--systemd-cgroup"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("systemd: starting " + unit_ + ": "), std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.out, "");
  EXPECT_EQ(show(unit_, "ActiveState"), "active\n");
  EXPECT_EQ(second.leftovers(), "");
  first.signal(SIGTERM);
  RunResult ended = first.wait(20000);
  EXPECT_EQ(ended.exit_code, 143) << ended.err;
  EXPECT_EQ(scope_left(), "");
}

// Without systemd (this host, or the VM booted without it) the flag is one clear line: a v1 or
// hybrid host is refused first, a v2 one cannot reach systemd. Nothing is left behind.
TEST(SystemdAbsent, TheDriverSaysWhyInOneLine) {
  HUSK_E2E_REQUIRE_ROOT();
  if (systemd_is_pid1()) GTEST_SKIP() << "systemd is PID 1 here: SystemdTest covers it";
  Bundle bundle;
  bundle.config()["linux"]["cgroupsPath"] = "system.slice:husk-e2e:" + bundle.cgroup_name();
  bundle.shell("echo ran");
  RunResult result = bundle.run({"--systemd-cgroup"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  const bool unified = fs::exists("/sys/fs/cgroup/cgroup.controllers");
  std::string why = unified ? "launch: error: --systemd-cgroup: systemd: connecting to "
                              "/run/systemd/private (is systemd PID 1?): "
                            : "launch: error: --systemd-cgroup: the systemd cgroup driver needs "
                              "a cgroup v2 (unified) host; this one is ";
  EXPECT_EQ(result.err.substr(0, why.size()), why) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
