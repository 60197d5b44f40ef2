// launch runs a bundle in the foreground: exit codes, stdio, husk as PID 1, reaping, signals.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
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
  EXPECT_EQ(
      result.out.substr(0, result.out.find('\n')),
      "husk -p SIGKILL -- sh -c " + bundle.config()["process"]["args"][2].get<std::string>() + " ");
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

// husk as the container's PID 1 supervising services (--init-arg -S): a steady one, a crasher
// given up after two restarts, and process.args as the main service, which asks `husk ctl list`
// from inside the container and ends it with its status.
TEST(Run, HuskSupervisesServicesInTheContainer) {
  HUSK_E2E_REQUIRE_ROOT();
  namespace fs = std::filesystem;
  Bundle bundle;
  fs::copy_file(Bundle::husk_path(), bundle.rootfs() + "/bin/husk");
  auto service = [&](const std::string& name, const std::string& run, const std::string& config) {
    std::string dir = bundle.rootfs() + "/etc/husk.d/" + name;
    fs::create_directories(dir);
    std::ofstream(dir + "/run") << "#!/bin/sh\n" << run << "\n";
    fs::permissions(dir + "/run", fs::perms::owner_all | fs::perms::group_exec |
                                      fs::perms::others_exec | fs::perms::others_read);
    if (!config.empty()) std::ofstream(dir + "/config") << config;
  };
  service("10-steady", "echo steady-up; exec sleep 1000", "");
  service("20-crash", "echo crash-run; exit 1", "backoff=0.05\nrestart-limit=2\n");
  bundle.shell("sleep 1.5; /bin/husk ctl --control /dev/shm/husk.sock list; exit 5");
  RunResult result = bundle.run({"--init-arg", "-S", "--init-arg", "/etc/husk.d", "--init-arg",
                                 "--control", "--init-arg", "/dev/shm/husk.sock"});
  EXPECT_EQ(result.exit_code, 5) << result.err;
  std::istringstream lines(result.out);
  int steady = 0, crash = 0;
  std::string table;
  for (std::string line; std::getline(lines, line);) {
    if (line == "steady-up") ++steady;
    if (line == "crash-run") ++crash;
    if (line.rfind("NAME", 0) == 0 || line.find("  ") != std::string::npos) table += line + "\n";
  }
  EXPECT_EQ(steady, 1) << result.out;
  EXPECT_EQ(crash, 3) << result.out;
  EXPECT_NE(table.find("10-steady"), std::string::npos) << table;
  std::string crash_row = table.substr(table.find("20-crash"));
  EXPECT_NE(crash_row.find("given-up"), table.npos) << table;
  EXPECT_NE(table.find("running*"), std::string::npos) << table;
  EXPECT_NE(result.err.find("husk: service '20-crash' given up"), std::string::npos) << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
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

// --debug: one `timing: {...}` line per command, a JSON object of the phases in microseconds,
// in order, for the foreground run and for each of create, start, exec and delete.
nlohmann::ordered_json timing_of(const std::string& err) {
  size_t at = err.find("timing: ");
  if (at == std::string::npos || err.find("timing: ", at + 1) != std::string::npos) return {};
  size_t end = err.find('\n', at);
  return nlohmann::ordered_json::parse(err.substr(at + 8, end - at - 8), nullptr, false);
}

std::vector<std::string> phases_of(const nlohmann::ordered_json& timing) {
  std::vector<std::string> names;
  int64_t sum = 0;
  for (const auto& item : timing.items()) {
    if (!item.value().is_number_integer()) continue;
    EXPECT_GE(item.value().get<int64_t>(), 0) << timing;
    if (item.key() != "total_us") sum += item.value().get<int64_t>();
    names.push_back(item.key());
  }
  // The phases follow each other: together no longer than the whole (1 ms of rounding).
  EXPECT_LE(sum, timing.value("total_us", int64_t{0}) + 1000) << timing;
  return names;
}

TEST(Run, DebugLogsPhaseTimings) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("true");
  RunResult result = bundle.run({"--debug"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  auto timing = timing_of(result.err);
  ASSERT_TRUE(timing.is_object()) << result.err;
  EXPECT_EQ(timing["verb"], "run");
  EXPECT_EQ(phases_of(timing),
            (std::vector<std::string>{"parse_us", "prepare_us", "cgroup_us", "spawn_us", "clone_us",
                                      "namespaces_us", "mounts_us", "pivot_root_us", "finalize_us",
                                      "process_us", "ready_us", "record_us", "exec_us", "run_us",
                                      "delete_us", "total_us"}));

  bundle.shell("exec sleep 30");
  bundle.write_config();
  const std::string root = bundle.state_root(), id = "timing-" + bundle.cgroup_name();
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> steps = {
      {{"create", "--bundle", bundle.dir(), id},
       {"parse_us", "prepare_us", "cgroup_us", "spawn_us", "clone_us", "namespaces_us", "mounts_us",
        "pivot_root_us", "finalize_us", "process_us", "ready_us", "record_us", "total_us"}},
      {{"start", id}, {"load_us", "exec_us", "record_us", "total_us"}},
      // Root's exec clones its child into the container's pid namespace: no fork phase.
      {{"exec", id, "true"},
       {"load_us", "prepare_us", "namespaces_us", "exec_us", "run_us", "total_us"}},
      {{"delete", "--force", id},
       {"load_us", "kill_us", "poststop_us", "cgroup_us", "state_us", "total_us"}}};
  for (const auto& [args, expected] : steps) {
    std::vector<std::string> argv{"--debug", "--root", root};
    argv.insert(argv.end(), args.begin(), args.end());
    RunResult step = Bundle::run_launch(argv);
    ASSERT_EQ(step.exit_code, 0) << args[0] << ": " << step.err;
    auto line = timing_of(step.err);
    ASSERT_TRUE(line.is_object()) << step.err;
    EXPECT_EQ(line["verb"], args[0]);
    EXPECT_EQ(phases_of(line), expected) << line;
  }
  EXPECT_EQ(bundle.leftovers(), "");
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
