// launch runs a bundle in the foreground: exit codes, stdio, husk as PID 1, reaping, signals.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

TEST(Run, ExitCodesPassThrough) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  for (auto [script, code] : {std::pair{"exit 0", 0}, {"exit 3", 3}, {"kill -KILL $$", 137}}) {
    bundle.shell(script);
    RunResult result = bundle.run();
    EXPECT_EQ(result.exit_code, code) << script << "\n" << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
}

TEST(Run, StdioIsTheCallers) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("echo to-stdout; echo to-stderr >&2");
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "to-stdout\n");
  EXPECT_EQ(result.err, "to-stderr\n");
}

TEST(Run, RootPathThroughASymlink) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  ASSERT_EQ(::symlink("rootfs", (bundle.dir() + "/current").c_str()), 0);
  bundle.config()["root"]["path"] = "current";
  bundle.shell("echo inside; ls /");
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("inside\n", 0), 0u) << result.out;
  EXPECT_NE(result.out.find("proc"), std::string::npos) << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Run, HuskIsPid1AndTheProcessItsChild) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("tr '\\0' ' ' < /proc/1/cmdline; echo; echo ppid=$PPID pid=$$");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, result.out.find('\n')),
            "husk -p SIGKILL -- sh -c " + bundle.config()["process"]["args"][2].get<std::string>() +
                " ");
  EXPECT_NE(result.out.find("ppid=1 pid=2"), std::string::npos) << result.out;
}

TEST(Run, InitArgsReachHusk) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["annotations"] = {{"run.husk.args", "-w"}};
  bundle.shell("tr '\\0' ' ' < /proc/1/cmdline");
  RunResult result = bundle.run({"--init-arg", "-g"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, 12), "husk -w -g -") << result.out;
}

TEST(Run, OrphansAreReaped) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  // The subshell's sleep is orphaned to PID 1 and exits there: husk reaps it.
  bundle.shell("(sleep 0.1 &); sleep 0.6; cat /proc/[0-9]*/stat | cut -d' ' -f3 | tr -d '\\n'");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.find('Z'), std::string::npos) << "zombie states: " << result.out;
}

TEST(Run, SignalsToLaunchReachTheContainer) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("trap 'echo got-term; exit 7' TERM; echo ready; while :; do sleep 0.05; done");
  Running running = bundle.start();
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  running.signal(SIGTERM);
  RunResult result = running.wait();
  EXPECT_EQ(result.exit_code, 7) << result.err;
  EXPECT_NE(result.out.find("got-term"), std::string::npos) << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Run, ForwardedSignalKillsTheProcess) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("echo ready; exec sleep 30");
  Running running = bundle.start();
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  running.signal(SIGTERM);  // launch -> husk -> sleep, which dies of it
  RunResult result = running.wait();
  EXPECT_EQ(result.exit_code, 128 + SIGTERM) << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Run, NoInitExecsTheProcessAsPid1) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("echo pid=$$; tr '\\0' ' ' < /proc/1/cmdline; echo");
  RunResult result = bundle.run({"--no-init"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.substr(0, 6), "pid=1\n") << result.out;
  EXPECT_NE(result.out.find("sh -c "), std::string::npos) << result.out;
}

TEST(Run, RunCommandWithIdAndPidFile) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("cat /proc/self/cgroup > /dev/null; echo ran");
  bundle.write_config();
  std::string pid_file = bundle.dir() + "/pid";
  RunResult result = Bundle::run_launch({"--root", bundle.state_root(), "run", "--bundle",
                                         bundle.dir(), "--pid-file", pid_file, "e2e-run-id"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "ran\n");
  EXPECT_GT(std::stoi(read_text(pid_file)), 1);
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Run, DebugLogsPhaseTimings) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("true");
  RunResult result = bundle.run({"--debug"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* phase : {"parse=", "cgroup=", "clone=", "mounts+pivot=", "exec="})
    EXPECT_NE(result.err.find(phase), std::string::npos) << result.err;
}

// The hooks the runtime runs around the container, in the spec's order, each with the state on
// stdin (startContainer runs inside the container's root, where the host cannot see its output).
TEST(Run, HooksRunInOrderWithTheState) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string log = bundle.dir() + "/hooks.log";
  for (const char* list :
       {"prestart", "createRuntime", "createContainer", "poststart", "poststop"}) {
    std::string script = std::string("echo ") + list + " $(cat) >> " + log;
    bundle.config()["hooks"][list] = {{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}}};
  }
  bundle.shell("echo ran");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(read_text(log));
  std::vector<std::pair<std::string, std::string>> seen;  // hook, status
  for (std::string line; std::getline(lines, line);) {
    size_t at = line.find("\"status\":\"");
    ASSERT_NE(at, std::string::npos) << line;
    std::string status = line.substr(at + 10, line.find('"', at + 10) - at - 10);
    seen.emplace_back(line.substr(0, line.find(' ')), status);
    EXPECT_NE(line.find("\"bundle\":\"" + bundle.dir() + "\""), std::string::npos) << line;
  }
  std::vector<std::pair<std::string, std::string>> want{{"prestart", "creating"},
                                                        {"createRuntime", "creating"},
                                                        {"createContainer", "creating"},
                                                        {"poststart", "running"},
                                                        {"poststop", "stopped"}};
  EXPECT_EQ(seen, want);
  EXPECT_EQ(bundle.leftovers(), "");
}

// createRuntime (in the runtime's namespaces) and createContainer (in the container's) run once
// the mounts are in place and before pivot_root: both find the container's /proc mounted at
// <rootfs>/proc. Before the mounts, or after pivot_root (where it is /proc), neither would.
TEST(Run, CreateHooksRunAfterTheMountsAndBeforePivotRoot) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  const std::string log = bundle.dir() + "/hooks.log";
  const std::string proc_mount = " " + bundle.rootfs() + "/proc ";
  const std::string runtime_script =
      "pid=$(sed -n 's/.*\"pid\":\\([0-9]*\\).*/\\1/p'); echo createRuntime $(grep -c '" +
      proc_mount + "' /proc/$pid/mountinfo) >> " + log;
  const std::string container_script =
      "echo createContainer $(grep -c '" + proc_mount + "' /proc/self/mountinfo) >> " + log;
  bundle.config()["hooks"]["createRuntime"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", runtime_script}}}};
  bundle.config()["hooks"]["createContainer"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", container_script}}}};
  bundle.shell("true");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_text(log), "createRuntime 1\ncreateContainer 1\n");
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Run, SpecWritesAConfigOnce) {
  Bundle bundle;
  RunResult result = Bundle::run_launch({"spec", "--bundle", bundle.dir()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto config = nlohmann::json::parse(read_text(bundle.dir() + "/config.json"));
  EXPECT_EQ(config["root"]["path"], "rootfs");
  result = Bundle::run_launch({"spec", "--bundle", bundle.dir()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "launch: error: " + bundle.dir() + "/config.json: already exists; remove it first\n");
}

}  // namespace
}  // namespace husk::e2e
