// The split lifecycle, driven as container engines drive runc: create (held), start, state,
// ps, exec, pause/resume, kill, delete, each command a separate launch process, and the state
// directory the only thing they share. Checks from inside the container (what its processes
// write to a bind-mounted folder of the test) and from the host (pids, cgroups, state).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "bundle.h"
#include "read_until.h"
#include "seccomp_agent.h"
#include "unique_fd.h"

namespace husk::e2e {
namespace {

// sh: the namespaces it shares with PID 1 (of those a runc spec config has), then its parent's
// pid as the container sees it (0: a process outside the container's pid namespace).
constexpr const char* kSameNamespacesAsPid1 =
    "for n in pid mnt net ipc uts cgroup; do [ $(readlink /proc/self/ns/$n) = $(readlink "
    "/proc/1/ns/$n) ] && echo -n \"$n \"; done; echo ppid=$PPID";

namespace fs = std::filesystem;
using nlohmann::json;

struct Cmd {
  int code = -1;
  std::string out, err;
};

// Starts launch with these arguments; its stdout and stderr go to `out` and `err` (fds the
// caller holds; -1: files in `dir`). Returns its pid.
pid_t spawn_launch(const std::vector<std::string>& args, int out, int err, int in = -1) {
  std::vector<std::string> full{Bundle::launch_path()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (const std::string& arg : full) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDWR);
    ::dup2(in >= 0 ? in : null, 0);
    ::dup2(out >= 0 ? out : null, 1);
    ::dup2(err >= 0 ? err : null, 2);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for `pid`, reaping every other child meanwhile as an engine does (the test is the
// subreaper of what create and exec leave): a pid namespace's PID 1 exits only once the
// processes of its namespace whose parents are outside it have been reaped.
std::map<pid_t, int>& reaped() {
  static std::map<pid_t, int> statuses;  // children reaped while waiting for another
  return statuses;
}

int wait_code(pid_t pid, int timeout_ms = 20000) {
  int64_t deadline = now_ms() + timeout_ms;
  int status = 0;
  for (;;) {
    if (auto it = reaped().find(pid); it != reaped().end()) {
      status = it->second;
      reaped().erase(it);
      break;
    }
    pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done == pid) break;
    if (done > 0) {
      reaped()[done] = status;
      continue;
    }
    if (now_ms() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return -1;
    }
    ::usleep(2000);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

// Runs one launch command to its exit (not to the end of its output: a created container
// keeps create's stdio). stdout and stderr through files of the bundle.
Cmd launch(const Bundle& bundle, std::vector<std::string> args, int out_fd = -1) {
  static int serial = 0;
  std::string base = bundle.dir() + "/cmd" + std::to_string(++serial);
  int out = out_fd >= 0 ? out_fd : ::open((base + ".out").c_str(), O_WRONLY | O_CREAT, 0600);
  int err = ::open((base + ".err").c_str(), O_WRONLY | O_CREAT, 0600);
  args.insert(args.begin(), {"--root", bundle.state_root()});
  pid_t pid = spawn_launch(args, out, err);
  if (out_fd < 0) ::close(out);
  ::close(err);
  Cmd cmd;
  cmd.code = wait_code(pid);
  cmd.out = out_fd >= 0 ? "" : read_text(base + ".out");
  cmd.err = read_text(base + ".err");
  return cmd;
}

bool wait_for_file(const std::string& path, int timeout_ms = 5000) {
  int64_t deadline = now_ms() + timeout_ms;
  while (!fs::exists(path)) {
    if (now_ms() > deadline) return false;
    ::usleep(5000);
  }
  return true;
}

// A zombie counts as gone: the test is its reaper (subreaper) only sometimes.
bool process_running(pid_t pid) {
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  if (stat.empty()) return false;
  size_t close = stat.rfind(')');
  return close != std::string::npos && stat[close + 2] != 'Z';
}

// Reaps every child meanwhile (see wait_code).
bool wait_gone(pid_t pid, int timeout_ms = 5000) {
  int64_t deadline = now_ms() + timeout_ms;
  while (process_running(pid)) {
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
    if (now_ms() > deadline) return false;
    ::usleep(5000);
  }
  ::waitpid(pid, nullptr, WNOHANG);
  return true;
}

// The test reaps what create leaves (as conmon and containerd's shim do, as subreapers).
class LifecycleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ::prctl(PR_SET_CHILD_SUBREAPER, 1); }
  void SetUp() override {
    HUSK_E2E_REQUIRE_ROOT();
    out_ = bundle_.dir() + "/out";
    fs::create_directories(out_);
    bundle_.config()["mounts"].push_back({{"destination", "/mnt"},
                                          {"type", "bind"},
                                          {"source", out_},
                                          {"options", {"rbind", "rw"}}});
    bundle_.write_config();
  }
  void TearDown() override {
    for (const std::string& id : ids_) (void)launch(bundle_, {"delete", "--force", id});
    while (::waitpid(-1, nullptr, WNOHANG) > 0) {
    }
  }
  std::string id(const std::string& name) {
    ids_.push_back(name + "-" + bundle_.cgroup_name());
    return ids_.back();
  }
  pid_t read_pid(const std::string& path) {
    std::string text = read_text(path);
    return text.empty() ? -1 : std::stoi(text);
  }
  json state(const std::string& id) {
    Cmd cmd = launch(bundle_, {"state", id});
    return json::parse(cmd.out, nullptr, false);
  }
  // Runs `script` in the foreground, SIGKILLs launch once it printed "ready": every process of
  // the container ends, and `list` + `delete --force` clean what launch made.
  void expect_killed_launch_ends_the_container(const std::string& script);

  Bundle bundle_;
  std::string out_;
  std::vector<std::string> ids_;
};

// create holds the process before exec: the program has not run, the state says created, the
// pid file holds the init's pid, create has exited; start from another process runs it.
TEST_F(LifecycleTest, CreateHoldsTheProcessUntilStart) {
  bundle_.shell("touch /mnt/marker; echo started; exec sleep 30");
  bundle_.write_config();
  const std::string c = id("held");
  int pipe_fds[2];
  ASSERT_EQ(::pipe2(pipe_fds, O_CLOEXEC), 0);
  Cmd created = launch(
      bundle_, {"create", "--bundle", bundle_.dir(), "--pid-file", bundle_.dir() + "/init.pid", c},
      pipe_fds[1]);
  ::close(pipe_fds[1]);
  ASSERT_EQ(created.code, 0) << created.err;  // create exited
  EXPECT_EQ(created.err, "");
  ::usleep(100000);
  EXPECT_FALSE(fs::exists(out_ + "/marker"));
  json s = state(c);
  EXPECT_EQ(s.value("status", ""), "created") << s;
  pid_t init = read_pid(bundle_.dir() + "/init.pid");
  EXPECT_EQ(s.value("pid", 0), init);
  EXPECT_TRUE(process_running(init));
  // The held process is the container's: in its cgroup (no launch besides it).
  EXPECT_NE(read_text("/proc/" + std::to_string(init) + "/cgroup").find(bundle_.cgroup_name()),
            std::string::npos);
  Cmd started = launch(bundle_, {"start", c});
  ASSERT_EQ(started.code, 0) << started.err;
  ASSERT_TRUE(wait_for_file(out_ + "/marker"));
  EXPECT_EQ(state(c).value("status", ""), "running");
  // The container's stdout is the pipe create was given (conmon holds it).
  char buf[64] = {};
  pollfd readable{pipe_fds[0], POLLIN, 0};
  ASSERT_EQ(::poll(&readable, 1, 5000), 1);
  ssize_t n = ::read(pipe_fds[0], buf, sizeof buf - 1);
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0), "started\n");
  ::close(pipe_fds[0]);
  Cmd deleted = launch(bundle_, {"delete", c});
  EXPECT_EQ(deleted.code, 1);
  EXPECT_EQ(deleted.err, "launch: error: container " + c +
                             " is running: delete needs a stopped container (or --force)\n");
  deleted = launch(bundle_, {"delete", "--force", c});
  EXPECT_EQ(deleted.code, 0) << deleted.err;
  EXPECT_TRUE(wait_gone(init));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// The held process gone between create and start (SIGKILL): start fails in one line naming the
// container, nothing of the program ran, the state says stopped, delete removes the rest. Once
// killed before start; once while start waits for its reply (the process stopped, then killed).
TEST_F(LifecycleTest, StartFailsInOneLineWhenTheHeldProcessIsGone) {
  bundle_.shell("touch /mnt/marker; exec sleep 30");
  bundle_.write_config();
  for (bool during_start : {false, true}) {
    const std::string c = id(during_start ? "gone-during" : "gone-before");
    Cmd cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), c});
    ASSERT_EQ(cmd.code, 0) << cmd.err;
    const pid_t held = state(c).value("pid", 0);
    ASSERT_GT(held, 0);
    if (during_start) {
      ASSERT_EQ(::kill(held, SIGSTOP), 0);
      const std::string err = bundle_.dir() + "/start-during.err";
      int err_fd = ::open(err.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      pid_t start = spawn_launch({"--root", bundle_.state_root(), "start", c}, -1, err_fd);
      ::close(err_fd);
      ::usleep(1000000);  // start has sent the go and waits for the reply (a loaded host too)
      ASSERT_EQ(::kill(held, SIGKILL), 0);
      cmd.code = wait_code(start);
      cmd.err = read_text(err);
      EXPECT_EQ(cmd.err, "launch: error: container " + c +
                             ": its process exited before start released it (the container is "
                             "stopped)\n");
    } else {
      ASSERT_EQ(::kill(held, SIGKILL), 0);
      cmd = launch(bundle_, {"start", c});
      EXPECT_TRUE(cmd.err.starts_with("launch: error: container " + c)) << cmd.err;
    }
    EXPECT_EQ(cmd.code, 1) << during_start;
    EXPECT_EQ(std::count(cmd.err.begin(), cmd.err.end(), '\n'), 1) << cmd.err;
    EXPECT_EQ(state(c).value("status", ""), "stopped") << during_start;
    EXPECT_FALSE(fs::exists(out_ + "/marker"));
    cmd = launch(bundle_, {"delete", c});
    EXPECT_EQ(cmd.code, 0) << cmd.err;
    EXPECT_TRUE(wait_gone(held));
    EXPECT_EQ(bundle_.leftovers(), "") << during_start;
  }
}

// containerd-shim-runc-v2's sequence, with its global options and a JSON log.
TEST_F(LifecycleTest, ShimSequence) {
  bundle_.shell("echo $$ > /mnt/init; exec sleep 30");
  bundle_.write_config();
  const std::string c = id("shim");
  const std::string log = bundle_.dir() + "/log.json";
  const std::vector<std::string> global{"--log", log, "--log-format", "json"};
  auto with_global = [&](std::vector<std::string> args) {
    args.insert(args.begin(), global.begin(), global.end());
    return launch(bundle_, args);
  };
  Cmd cmd = with_global(
      {"create", "--bundle", bundle_.dir(), "--pid-file", bundle_.dir() + "/init.pid", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  ASSERT_EQ((cmd = with_global({"start", c})).code, 0) << cmd.err;
  pid_t init = read_pid(bundle_.dir() + "/init.pid");
  cmd = with_global({"ps", "--format", "json", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  json pids = json::parse(cmd.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << cmd.out;
  EXPECT_NE(std::find(pids.begin(), pids.end(), init), pids.end()) << cmd.out;
  // runc's `ps ID -- ARGS`: the host's ps, the header and the container's rows only.
  cmd = with_global({"ps", c, "--", "-o", "pid,args"});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_EQ(cmd.out.find("PID COMMAND\n") + 12, cmd.out.find('\n') + 1) << cmd.out;
  EXPECT_NE(cmd.out.find(std::to_string(init) + " "), std::string::npos) << cmd.out;
  EXPECT_EQ(std::count(cmd.out.begin(), cmd.out.end(), '\n'), 1 + static_cast<long>(pids.size()))
      << cmd.out;

  json process = {{"args", {"sh", "-c", "echo exec > /mnt/exec; exec sleep 30"}},
                  {"cwd", "/"},
                  {"env", {"PATH=/bin"}},
                  {"user", {{"uid", 0}, {"gid", 0}}}};
  std::ofstream(bundle_.dir() + "/process.json") << process.dump();
  cmd = with_global({"exec", "--process", bundle_.dir() + "/process.json", "--detach", "--pid-file",
                     bundle_.dir() + "/exec.pid", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  ASSERT_TRUE(wait_for_file(out_ + "/exec"));
  pid_t exec_pid = read_pid(bundle_.dir() + "/exec.pid");
  EXPECT_TRUE(process_running(exec_pid));
  cmd = with_global({"ps", "--format", "json", c});
  EXPECT_NE(cmd.out.find(std::to_string(exec_pid)), std::string::npos) << cmd.out;

  ASSERT_EQ((cmd = with_global({"pause", c})).code, 0) << cmd.err;
  EXPECT_EQ(state(c).value("status", ""), "paused");
  cmd = launch(bundle_, {"exec", c, "true"});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err, "launch: error: container " + c +
                         " is paused: exec needs a created or running container\n");
  cmd = launch(bundle_, {"list", "--format", "json"});
  json listed = json::parse(cmd.out, nullptr, false);
  ASSERT_TRUE(listed.is_array()) << cmd.out;
  ASSERT_EQ(listed.size(), 1u) << cmd.out;
  EXPECT_EQ(listed[0].value("id", ""), c);
  EXPECT_EQ(listed[0].value("status", ""), "paused");
  ASSERT_EQ((cmd = with_global({"resume", c})).code, 0) << cmd.err;
  EXPECT_EQ(state(c).value("status", ""), "running");
  ASSERT_EQ((cmd = with_global({"kill", c, "15"})).code, 0) << cmd.err;
  ASSERT_EQ((cmd = with_global({"kill", "--all", c, "9"})).code, 0) << cmd.err;
  EXPECT_TRUE(wait_gone(init));
  EXPECT_TRUE(wait_gone(exec_pid));
  EXPECT_EQ(state(c).value("status", ""), "stopped");
  ASSERT_EQ((cmd = with_global({"delete", c})).code, 0) << cmd.err;
  ASSERT_EQ((cmd = with_global({"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_EQ(read_text(log), "");  // nothing went wrong
  EXPECT_EQ(bundle_.leftovers(), "");
}

// SCMP_ACT_NOTIFY with create and exec: start hands the created container's listener to the
// agent at listenerPath, exec its process's; the agent's errno is what mkdir sees inside. With
// nobody at listenerPath, start fails in one line and the container is stopped, never run.
TEST_F(LifecycleTest, SeccompNotifyWithCreateStartAndExec) {
  const std::string socket_path = bundle_.dir() + "/agent.sock";
  SeccompAgent agent(socket_path, ENOSPC);
  ASSERT_TRUE(agent.bound());
  json seccomp = {{"defaultAction", "SCMP_ACT_ALLOW"},
                  {"listenerPath", socket_path},
                  {"listenerMetadata", "split"},
                  {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  bundle_.config()["linux"]["seccomp"] = seccomp;
  bundle_.shell("mkdir /tmp/x 2> /mnt/init; echo rc=$? >> /mnt/init; exec sleep 30");
  bundle_.write_config();
  const std::string c = id("notify");
  Cmd cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_TRUE(agent.states().empty());  // nothing runs under the filter before start
  ASSERT_EQ((cmd = launch(bundle_, {"start", c})).code, 0) << cmd.err;
  const std::vector<std::string> states = agent.wait_for_states(1);
  ASSERT_EQ(states.size(), 1u);
  json process_state = json::parse(states[0], nullptr, false);
  EXPECT_EQ(process_state["fds"], json({"seccompFd"})) << states[0];
  EXPECT_EQ(process_state.value("metadata", ""), "split") << states[0];
  EXPECT_EQ(process_state["state"].value("id", ""), c) << states[0];
  EXPECT_EQ(process_state.value("pid", 0), state(c).value("pid", -1)) << states[0];
  std::string init_out;
  for (int64_t deadline = now_ms() + 5000; now_ms() < deadline; ::usleep(10000)) {
    if ((init_out = read_text(out_ + "/init")).find("rc=") != std::string::npos) break;
  }
  EXPECT_NE(init_out.find("No space left on device\nrc=1\n"), std::string::npos) << init_out;
  cmd = launch(bundle_, {"exec", c, "sh", "-c", "mkdir /tmp/y 2>&1; echo rc=$?"});
  EXPECT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_NE(cmd.out.find("No space left on device\nrc=1\n"), std::string::npos) << cmd.out;
  EXPECT_EQ(agent.states().size(), 2u);
  EXPECT_GE(agent.notifications(), 2);
  ASSERT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;

  seccomp["listenerPath"] = bundle_.dir() + "/nobody.sock";
  bundle_.config()["linux"]["seccomp"] = seccomp;
  bundle_.write_config();
  const std::string lonely = id("no-agent");
  ASSERT_EQ((cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), lonely})).code, 0)
      << cmd.err;
  cmd = launch(bundle_, {"start", lonely});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err, "launch: error: linux.seccomp.listenerPath " + bundle_.dir() +
                         "/nobody.sock: connect: No such file or directory\n");
  EXPECT_EQ(state(lonely).value("status", ""), "stopped");
  EXPECT_EQ(read_text(out_ + "/init"), init_out);  // the second container's shell never ran
  ASSERT_EQ((cmd = launch(bundle_, {"delete", lonely})).code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// conmon's sequence: --log-format=json --log F, the container's stdio on pipes it holds.
TEST_F(LifecycleTest, ConmonSequence) {
  bundle_.shell("echo out; echo err >&2; exec sleep 30");
  bundle_.write_config();
  const std::string c = id("conmon");
  const std::string log = bundle_.dir() + "/conmon.log";
  int out[2], err[2];
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(err, O_CLOEXEC), 0);
  pid_t pid =
      spawn_launch({"--root", bundle_.state_root(), "--log-format=json", "--log", log, "create",
                    "--bundle", bundle_.dir(), "--pid-file", bundle_.dir() + "/pid", c},
                   out[1], err[1]);
  ::close(out[1]);
  ::close(err[1]);
  ASSERT_EQ(wait_code(pid), 0) << read_text(log);
  Cmd cmd = launch(bundle_, {"start", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  char buf[16] = {};
  EXPECT_EQ(::read(out[0], buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf, 4), "out\n");
  EXPECT_EQ(::read(err[0], buf, sizeof buf), 4);
  EXPECT_EQ(std::string(buf, 4), "err\n");
  cmd = launch(bundle_, {"exec", "--detach", c, "sh", "-c", "touch /mnt/exec"});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_TRUE(wait_for_file(out_ + "/exec"));
  ASSERT_EQ((cmd = launch(bundle_, {"kill", c, "9"})).code, 0) << cmd.err;
  EXPECT_TRUE(wait_gone(read_pid(bundle_.dir() + "/pid")));
  ASSERT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;
  // Both pipes end: nothing of the container holds them any more.
  EXPECT_EQ(::read(out[0], buf, sizeof buf), 0);
  EXPECT_EQ(::read(err[0], buf, sizeof buf), 0);
  ::close(out[0]);
  ::close(err[0]);
  EXPECT_EQ(bundle_.leftovers(), "");
}

// A create killed half-way (during its createRuntime hook): delete --force cleans everything.
TEST_F(LifecycleTest, CreateKilledMidWayThenForceDelete) {
  bundle_.config()["hooks"]["createRuntime"] = {
      {{"path", "/bin/sh"},
       {"args",
        {"sh", "-c",
         "echo $$ > " + out_ + "/hook.tmp; mv " + out_ + "/hook.tmp " + out_ +
             "/hook; exec sleep 30"}}}};
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string c = id("killed");
  pid_t pid = spawn_launch({"--root", bundle_.state_root(), "create", "--bundle", bundle_.dir(), c},
                           -1, -1);
  ASSERT_TRUE(wait_for_file(out_ + "/hook", 10000));
  ::kill(pid, SIGKILL);
  EXPECT_EQ(wait_code(pid), 128 + SIGKILL);
  EXPECT_NE(bundle_.leftovers(), "");  // the cgroup and the state directory, at least
  Cmd cmd = launch(bundle_, {"delete", "--force", c});
  EXPECT_EQ(cmd.code, 0) << cmd.err;
  // The hook's sleep is no part of the container (it ran in launch's cgroup): the test, its
  // reaper now, ends it by pid.
  pid_t hook = read_pid(out_ + "/hook");
  ASSERT_GT(hook, 0);
  ::kill(hook, SIGKILL);
  ::waitpid(hook, nullptr, 0);
  int64_t deadline = now_ms() + 5000;
  while (!bundle_.leftovers().empty() && now_ms() < deadline) ::usleep(20000);
  EXPECT_EQ(bundle_.leftovers(), "");
  EXPECT_FALSE(fs::exists(bundle_.state_root() + "/" + c));
}

// create SIGKILLed at moments spread over its start-up (before the state directory, with the
// cgroup half made, with the child set up, held): delete --force always leaves nothing.
TEST_F(LifecycleTest, CreateKilledAtAnyMomentThenForceDelete) {
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  for (int delay_us : {0, 300, 700, 1000, 1500, 2000, 3000, 4000, 6000, 8000, 12000, 20000}) {
    const std::string c = id("kill" + std::to_string(delay_us));
    pid_t pid = spawn_launch({"--root", bundle_.state_root(), "create", "--bundle", bundle_.dir(),
                              "--pid-file", bundle_.dir() + "/pid", c},
                             -1, -1);
    ::usleep(static_cast<useconds_t>(delay_us));
    ::kill(pid, SIGKILL);
    wait_code(pid);
    pid_t init = read_pid(bundle_.dir() + "/pid");  // written last: the create got that far
    Cmd cmd = launch(bundle_, {"delete", "--force", c});
    EXPECT_EQ(cmd.code, 0) << delay_us << "us: " << cmd.err;
    if (init > 0) {
      EXPECT_TRUE(wait_gone(init)) << delay_us;
    }
    ::unlink((bundle_.dir() + "/pid").c_str());
    int64_t deadline = now_ms() + 3000;
    while (!bundle_.leftovers().empty() && now_ms() < deadline) {
      while (::waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      ::usleep(20000);
    }
    EXPECT_EQ(bundle_.leftovers(), "") << delay_us << "us";
    EXPECT_FALSE(fs::exists(bundle_.state_root() + "/" + c)) << delay_us << "us";
  }
}

// Until its child is set up (and, in the foreground, until the child is past its exec), a create
// holds its state directory's lock and its record says "creating" without a pid. `state` and
// `list` report such a record as creating while something holds the lock, and as stopped once
// nothing does (a create that died there); delete --force then removes it.
TEST_F(LifecycleTest, ACreateAtWorkIsCreatingAndOneThatDiedIsStopped) {
  const std::string c = id("at-work");
  const std::string dir = bundle_.state_root() + "/" + c;
  fs::create_directories(dir);
  std::ofstream(dir + "/state.json") << json{
      {"ociVersion", "1.0.2"},
      {"id", c},
      {"status", "creating"},
      {"bundle", bundle_.dir()},
      {"husk", json::object()}}.dump();
  UniqueFd held(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  ASSERT_TRUE(held);
  ASSERT_EQ(::flock(held.get(), LOCK_EX), 0);
  json s = state(c);
  EXPECT_EQ(s.value("status", ""), "creating") << s;
  EXPECT_FALSE(s.contains("pid")) << s;
  Cmd cmd = launch(bundle_, {"list", "--format", "json"});
  json listed = json::parse(cmd.out, nullptr, false);
  ASSERT_TRUE(listed.is_array() && listed.size() == 1) << cmd.out;
  EXPECT_EQ(listed[0].value("status", ""), "creating");
  // The look took no lock of its own: the holder's is still the only one.
  UniqueFd other(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  EXPECT_NE(::flock(other.get(), LOCK_SH | LOCK_NB), 0);
  ASSERT_EQ(::flock(held.get(), LOCK_UN), 0);
  EXPECT_EQ(state(c).value("status", ""), "stopped");
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// Of two starts at once, exactly one succeeds; the other finds the container running.
TEST_F(LifecycleTest, TwoConcurrentStartsOneSucceeds) {
  bundle_.shell("echo x >> /mnt/runs; exec sleep 30");
  bundle_.write_config();
  const std::string c = id("race");
  Cmd cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  std::string err_a = bundle_.dir() + "/a.err", err_b = bundle_.dir() + "/b.err";
  int fa = ::open(err_a.c_str(), O_WRONLY | O_CREAT, 0600);
  int fb = ::open(err_b.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t a = spawn_launch({"--root", bundle_.state_root(), "start", c}, -1, fa);
  pid_t b = spawn_launch({"--root", bundle_.state_root(), "start", c}, -1, fb);
  ::close(fa);
  ::close(fb);
  int code_a = wait_code(a), code_b = wait_code(b);
  EXPECT_EQ((code_a == 0) + (code_b == 0), 1) << read_text(err_a) << read_text(err_b);
  EXPECT_EQ(code_a + code_b, 1);
  std::string loser = code_a == 0 ? read_text(err_b) : read_text(err_a);
  EXPECT_EQ(loser,
            "launch: error: container " + c + " is running: start needs a created container\n");
  ASSERT_TRUE(wait_for_file(out_ + "/runs"));
  ::usleep(100000);
  EXPECT_EQ(read_text(out_ + "/runs"), "x\n");
}

// The init's pid, recycled by another process, is never signalled: the start time differs.
TEST_F(LifecycleTest, RecycledPidIsNeverSignalled) {
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string c = id("recycled");
  Cmd cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  // Another process of the host now has the recorded pid (the record is edited to say so: a
  // pid that the kernel hands out again is the same case). Start times count clock ticks
  // (10 ms): the other process starts a few ticks later, as a recycled pid always does.
  ::usleep(50000);
  pid_t other = ::fork();
  if (other == 0) {
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  std::string path = bundle_.state_root() + "/" + c + "/state.json";
  json record = json::parse(read_text(path));
  pid_t init = record["pid"];
  record["pid"] = other;
  std::ofstream(path) << record.dump();
  EXPECT_EQ(state(c).value("status", ""), "stopped");
  cmd = launch(bundle_, {"kill", c, "KILL"});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err, "launch: error: container " + c +
                         " is stopped: kill needs a created, running or paused container\n");
  ::usleep(50000);
  EXPECT_TRUE(process_running(other));
  ::kill(other, SIGKILL);
  ::waitpid(other, nullptr, 0);
  record["pid"] = init;
  std::ofstream(path) << record.dump();
  cmd = launch(bundle_, {"delete", "--force", c});
  EXPECT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_TRUE(wait_gone(init));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// exec into a container that joined another's pid namespace: PID 1 is the first container's
// husk, and the exec'd process is in the joining container's cgroup (ps lists it).
TEST_F(LifecycleTest, ExecIntoAContainerThatJoinedAnothersPidNamespace) {
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string first = id("first");
  Cmd cmd = launch(bundle_, {"run", "--detach", "--bundle", bundle_.dir(), "--pid-file",
                             bundle_.dir() + "/first.pid", first});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  pid_t first_pid = read_pid(bundle_.dir() + "/first.pid");
  Bundle second;
  second.set_namespace("pid", "/proc/" + std::to_string(first_pid) + "/ns/pid");
  second.shell("exec sleep 30");
  second.write_config();
  const std::string c = "second-" + second.cgroup_name();
  cmd = launch(second, {"run", "-d", "--bundle", second.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  std::string exec_out = second.dir() + "/exec.out";
  int out = ::open(exec_out.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t pid = spawn_launch({"--root", second.state_root(), "exec", c, "sh", "-c",
                            "tr '\\0' ' ' < /proc/1/cmdline; echo; sleep 0.5"},
                           out, -1);
  ::close(out);
  ::usleep(250000);
  Cmd ps = launch(second, {"ps", "--format", "json", c});
  EXPECT_EQ(wait_code(pid), 0);
  EXPECT_EQ(read_text(exec_out), "husk -- sh -c exec sleep 30 \n");
  json pids = json::parse(ps.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << ps.out << ps.err;
  EXPECT_GE(pids.size(), 2u) << ps.out;  // the second's process and the exec'd one
  EXPECT_EQ((cmd = launch(second, {"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_EQ(second.leftovers(), "");
  // The first's PID 1 exits once the second's processes (their parent: this test) are reaped.
  while (::waitpid(-1, nullptr, WNOHANG) > 0) {
  }
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "--force", first})).code, 0) << cmd.err;
  EXPECT_TRUE(wait_gone(first_pid));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// exec in the foreground: the container's security settings apply, the exit code returns,
// signals reach the process.
TEST_F(LifecycleTest, ExecInTheForeground) {
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string c = id("fg");
  Cmd cmd = launch(bundle_, {"run", "-d", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  cmd = launch(bundle_,
               {"exec", "--env", "EXTRA=1", "--cwd", "/tmp", "--user", "1000:1000", c, "sh", "-c",
                "echo $EXTRA $(pwd) $(id -u):$(id -g); grep -E '^(CapEff|NoNewPrivs|"
                "Seccomp):' /proc/self/status | tr -s '\\t' ' '; exit 7"});
  EXPECT_EQ(cmd.code, 7) << cmd.err;
  EXPECT_EQ(cmd.out, "1 /tmp 1000:1000\nCapEff: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 0\n")
      << cmd.out;
  // The process sees the container's hostname (uts) and root.
  cmd = launch(bundle_, {"exec", c, "hostname"});
  EXPECT_EQ(cmd.out, "husk\n");
  // It is in every namespace of PID 1, a child of no process of the container (launch, outside,
  // is its parent).
  cmd = launch(bundle_, {"exec", c, "sh", "-c", kSameNamespacesAsPid1});
  EXPECT_EQ(cmd.out, "pid mnt net ipc uts cgroup ppid=0\n") << cmd.err;
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "-f", c})).code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// exec into a container with a time namespace, which only a fork enters: the process has the
// container's clocks and namespaces.
TEST_F(LifecycleTest, ExecIntoAContainerWithATimeNamespace) {
  bundle_.set_namespace("time");
  bundle_.config()["linux"]["timeOffsets"] = {{"boottime", {{"secs", 1000000}, {"nanosecs", 0}}}};
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string c = id("time");
  Cmd cmd = launch(bundle_, {"run", "-d", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  double host = std::stod(read_text("/proc/uptime"));
  cmd = launch(bundle_, {"exec", c, "cut", "-d", " ", "-f1", "/proc/uptime"});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_GT(std::stod(cmd.out), host + 1000000 - 5) << cmd.out;
  cmd = launch(bundle_, {"exec", c, "sh", "-c",
                         std::string("[ $(readlink /proc/self/ns/time) = $(readlink "
                                     "/proc/1/ns/time) ] && echo -n 'time '; ") +
                             kSameNamespacesAsPid1});
  EXPECT_EQ(cmd.out, "time pid mnt net ipc uts cgroup ppid=0\n") << cmd.err;
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "-f", c})).code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// The hooks across create, start and delete, in the spec's order, with the status of each.
// The runtime's hooks and createContainer (before pivot_root) write the host path of the folder
// that the container's startContainer hook and process reach as /mnt.
TEST_F(LifecycleTest, HooksAcrossTheCommands) {
  const std::string log = out_ + "/hooks";
  auto hook = [](const std::string& name, const std::string& file) {
    std::string script =
        "echo " + name + " $(sed 's/.*\"status\":\"\\([a-z]*\\)\".*/\\1/') >> " + file;
    return json::array({{{"path", "/bin/sh"}, {"args", {"sh", "-c", script}}}});
  };
  for (const char* list : {"prestart", "createRuntime", "createContainer", "poststart", "poststop"})
    bundle_.config()["hooks"][list] = hook(list, log);
  bundle_.config()["hooks"]["startContainer"] = hook("startContainer", "/mnt/hooks");
  bundle_.shell("touch /mnt/ran; exec sleep 30");  // (its moment against poststart is free)
  bundle_.write_config();
  const std::string c = id("hooks");
  Cmd cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_EQ(read_text(log),
            "prestart creating\ncreateRuntime creating\ncreateContainer creating\n");
  ASSERT_EQ((cmd = launch(bundle_, {"start", c})).code, 0) << cmd.err;
  ASSERT_TRUE(wait_for_file(log));
  ::usleep(100000);
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_EQ(read_text(log),
            "prestart creating\ncreateRuntime creating\ncreateContainer creating\n"
            "startContainer created\npoststart running\npoststop stopped\n");
  EXPECT_TRUE(fs::exists(out_ + "/ran"));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// runtime-spec 1.3: a failing poststart hook fails start, and the container is killed.
TEST_F(LifecycleTest, FailingPoststartFailsStartAndKillsTheContainer) {
  bundle_.config()["hooks"]["poststart"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", "exit 3"}}}};
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string c = id("poststart");
  Cmd cmd = launch(bundle_,
                   {"create", "--bundle", bundle_.dir(), "--pid-file", bundle_.dir() + "/pid", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  cmd = launch(bundle_, {"start", c});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_NE(cmd.err.find("poststart"), std::string::npos) << cmd.err;
  EXPECT_EQ(cmd.err.find('\n'), cmd.err.size() - 1) << cmd.err;
  EXPECT_TRUE(wait_gone(read_pid(bundle_.dir() + "/pid")));
  EXPECT_EQ(state(c).value("status", ""), "stopped");
  EXPECT_EQ((cmd = launch(bundle_, {"delete", c})).code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// update changes the live cgroup (the same code as create); events reports its statistics and
// the OOM killer's kills; kill takes a signal by number or name.
TEST_F(LifecycleTest, UpdateEventsAndSignalNames) {
  bundle_.config()["linux"]["resources"]["memory"] = {{"limit", 32 << 20}, {"swap", 32 << 20}};
  bundle_.shell(
      "trap 'echo usr1 >> /mnt/signals' USR1; trap 'echo hup >> /mnt/signals' HUP; "
      "while true; do sleep 0.05; done");
  bundle_.write_config();
  const std::string c = id("update");
  Cmd cmd = launch(bundle_, {"run", "-d", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  cmd =
      launch(bundle_, {"update", "--pids-limit", "42", "--memory=48m", "--memory-swap", "48m", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  json record = json::parse(read_text(bundle_.state_root() + "/" + c + "/state.json"));
  for (const json& entry : record["husk"]["cgroupPaths"]) {
    const std::string dir = entry.get<std::string>();
    if (dir.find("/pids/") != std::string::npos) {
      EXPECT_EQ(read_text(dir + "/pids.max"), "42\n");
    }
    if (dir.find("/memory/") != std::string::npos) {
      EXPECT_EQ(read_text(dir + "/memory.limit_in_bytes"), std::to_string(48 << 20) + "\n");
    }
  }
  std::ofstream(bundle_.dir() + "/resources.json") << R"({"pids": {"limit": 43}})";
  cmd = launch(bundle_, {"update", "--resources", bundle_.dir() + "/resources.json", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  std::ofstream(bundle_.dir() + "/resources.json") << R"({"pids": {"limit": "x"}})";
  cmd = launch(bundle_, {"update", "--resources", bundle_.dir() + "/resources.json", c});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err,
            "launch: error: resources.json: .pids.limit: expected an integer, got \"x\"\n");
  cmd = launch(bundle_, {"update", "--memory", "lots", c});
  EXPECT_EQ(cmd.code, 2);
  EXPECT_EQ(cmd.err,
            "launch: error: update: --memory: expected a size (bytes, or with k, m, g, "
            "t), got \"lots\"\n");

  cmd = launch(bundle_, {"events", "--stats", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  json event = json::parse(cmd.out, nullptr, false);
  EXPECT_EQ(event.value("type", ""), "stats") << cmd.out;
  EXPECT_EQ(event.value("id", ""), c);
  EXPECT_GE(event["data"]["pids"].value("current", 0), 2) << cmd.out;
  EXPECT_EQ(event["data"]["pids"].value("limit", 0), 43) << cmd.out;
  EXPECT_GT(event["data"]["memory"]["usage"].value("usage", 0), 0) << cmd.out;

  // The OOM killer kills a memory hog in the container: an oom line.
  std::string events_out = bundle_.dir() + "/events.out";
  int fd = ::open(events_out.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t events =
      spawn_launch({"--root", bundle_.state_root(), "events", "--interval", "100ms", c}, fd, -1);
  ::close(fd);
  ::usleep(300000);
  // One 64 MiB buffer, filled by one read: the limit is reached at once, even on an emulated
  // CPU (a pipe of zeros took longer than the command's 20 s in a loaded VM).
  cmd = launch(bundle_, {"exec", c, "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1"});
  EXPECT_EQ(cmd.code, 137) << cmd.err;
  int64_t deadline = now_ms() + 5000;
  while (read_text(events_out).find(R"({"id":")" + c + R"(","type":"oom"})") == std::string::npos &&
         now_ms() < deadline)
    ::usleep(20000);
  EXPECT_NE(read_text(events_out).find(R"({"id":")" + c + R"(","type":"oom"})"), std::string::npos)
      << read_text(events_out);

  // Each signal once the shell has taken the one before: two pending at once would be taken
  // in signal-number order, and a second USR1 would merge with the first.
  size_t taken = 0;
  for (const char* sig : {"USR1", "SIGHUP", "10"}) {
    cmd = launch(bundle_, {"kill", c, sig});
    EXPECT_EQ(cmd.code, 0) << sig << ": " << cmd.err;
    ++taken;
    for (int64_t until = now_ms() + 5000; now_ms() < until; ::usleep(10000)) {
      const std::string lines = read_text(out_ + "/signals");
      if (static_cast<size_t>(std::count(lines.begin(), lines.end(), '\n')) >= taken) break;
    }
  }
  EXPECT_EQ(read_text(out_ + "/signals"), "usr1\nhup\nusr1\n");
  cmd = launch(bundle_, {"kill", c, "SIGNOPE"});
  EXPECT_EQ(cmd.code, 2);
  EXPECT_EQ(cmd.err, "launch: error: kill: unknown signal \"SIGNOPE\"\n");
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_EQ(wait_code(events), 0);  // the stream ends with the container
  EXPECT_EQ(bundle_.leftovers(), "");
}

// The terminal of a created container and of an exec'd process goes to --console-socket, as
// conmon and containerd's shim ask (runc's protocol: the master as SCM_RIGHTS, its path).
TEST_F(LifecycleTest, TerminalsThroughTheConsoleSocket) {
  std::string path = bundle_.dir() + "/console.sock";
  UniqueFd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(::listen(listener.get(), 2), 0);
  bundle_.config()["process"]["terminal"] = true;
  bundle_.shell("read x; echo got $x; exec sleep 30");
  bundle_.write_config();
  const std::string c = id("tty");
  Cmd cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), "--console-socket", path, c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  UniqueFd connection(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  std::string name;
  UniqueFd master(receive_fd(connection.get(), name));
  ASSERT_TRUE(master) << "no fd received";
  EXPECT_EQ(name, "/dev/pts/0");
  ASSERT_EQ((cmd = launch(bundle_, {"start", c})).code, 0) << cmd.err;
  ASSERT_EQ(::write(master.get(), "hi\r", 3), 3);
  std::string shown;
  EXPECT_TRUE(test::read_until(master.get(), shown, "got hi", 5000)) << shown;

  cmd = launch(bundle_, {"exec", "--tty", "--detach", "--console-socket", path, c, "sh", "-c",
                         "tty; echo exec-tty; exec sleep 30"});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  UniqueFd second(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  UniqueFd exec_master(receive_fd(second.get(), name));
  ASSERT_TRUE(exec_master) << "no fd received";
  EXPECT_EQ(name, "/dev/pts/1");
  shown.clear();
  EXPECT_TRUE(test::read_until(exec_master.get(), shown, "exec-tty", 5000)) << shown;
  EXPECT_NE(shown.find("/dev/pts/1"), std::string::npos) << shown;
  cmd = launch(bundle_, {"create", "--bundle", bundle_.dir(), id("notty")});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err,
            "launch: error: process.terminal: a created container needs "
            "--console-socket for its terminal\n");
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// What launch refuses, in one line each; features and --version in runc's shapes.
TEST_F(LifecycleTest, RefusalsFeaturesAndVersion) {
  // --systemd-cgroup is refused with a rootless launch.
  Cmd cmd = launch(bundle_, {"--rootless", "true", "--systemd-cgroup", "list"});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err,
            "launch: error: --systemd-cgroup: the systemd cgroup driver needs root (it asks the "
            "system's systemd for a scope), not a rootless launch\n");
  // Rootless (forced here, as root): the config must have a user namespace of its own.
  cmd = launch(bundle_, {"--rootless", "true", "run", "--bundle", bundle_.dir(), id("rootless")});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err,
            "launch: error: config.json: linux.namespaces: a rootless container needs a user "
            "namespace of its own (launch spec --rootless writes one)\n");
  EXPECT_EQ(bundle_.leftovers(), "");
  cmd = launch(bundle_, {"features"});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  json features = json::parse(cmd.out, nullptr, false);
  EXPECT_EQ(features.value("ociVersionMax", ""), "1.2.0") << cmd.out;
  EXPECT_EQ(features["linux"]["namespaces"].size(), 8u) << cmd.out;
  EXPECT_FALSE(features["linux"]["apparmor"].value("enabled", true));
  EXPECT_NE(features["hooks"].dump().find("createContainer"), std::string::npos);
  cmd = launch(bundle_, {"--version"});
  EXPECT_EQ(cmd.code, 0);
  EXPECT_EQ(cmd.out.rfind("launch version ", 0), 0u) << cmd.out;
  EXPECT_NE(cmd.out.find("\nspec: 1.2.0\nlibseccomp: "), std::string::npos) << cmd.out;
  cmd = launch(bundle_, {"create", "--help"});
  EXPECT_EQ(cmd.code, 0);
  EXPECT_EQ(cmd.out.rfind("Usage: launch [global options] create [options] ID\n", 0), 0u);
}

// A cgroup directory that existed before create is joined, never taken over: delete removes
// only the directories launch made, and kill --all, which would reach whatever else is there,
// signals the init alone.
TEST_F(LifecycleTest, AnExistingEmptyCgroupIsJoinedAndLeftInPlace) {
  std::string own;
  std::istringstream lines(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    if (line.substr(first + 1, second - first - 1) == "pids") own = line.substr(second + 1);
  }
  if (own.empty()) GTEST_SKIP() << "no v1 pids hierarchy";
  std::string existing =
      "/sys/fs/cgroup/pids" + (own == "/" ? "" : own) + "/" + bundle_.cgroup_name();
  ASSERT_EQ(::mkdir(existing.c_str(), 0755), 0) << existing;
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  const std::string c = id("joined");
  Cmd cmd = launch(
      bundle_, {"run", "-d", "--bundle", bundle_.dir(), "--pid-file", bundle_.dir() + "/pid", c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  pid_t init = read_pid(bundle_.dir() + "/pid");
  EXPECT_NE(read_text(existing + "/cgroup.procs").find(std::to_string(init)), std::string::npos);
  json record = json::parse(read_text(bundle_.state_root() + "/" + c + "/state.json"));
  json created = record["husk"]["cgroupCreated"];
  EXPECT_EQ(std::find(created.begin(), created.end(), existing), created.end()) << created;
  EXPECT_FALSE(created.empty());
  cmd = launch(bundle_, {"kill", "--all", c, "KILL"});
  EXPECT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_TRUE(wait_gone(init));
  EXPECT_EQ((cmd = launch(bundle_, {"delete", c})).code, 0) << cmd.err;
  EXPECT_TRUE(fs::exists(existing)) << "a cgroup launch did not make was removed";
  EXPECT_EQ(::rmdir(existing.c_str()), 0);
  EXPECT_EQ(bundle_.leftovers(), "");
}

// Bad input: one line, runc's exit code (1; 2 for a malformed command line), state unchanged,
// nothing left behind.
TEST_F(LifecycleTest, BadInput) {
  bundle_.shell("exec sleep 30");
  bundle_.write_config();
  auto one_line = [](const Cmd& cmd, int code, const std::string& text) {
    EXPECT_EQ(cmd.code, code) << cmd.err;
    EXPECT_EQ(cmd.err, "launch: error: " + text + "\n");
  };
  for (const char* verb : {"state", "start", "kill", "delete", "pause", "resume", "ps"})
    one_line(launch(bundle_, {verb, "nope"}), 1, "container nope does not exist");
  one_line(launch(bundle_, {"exec", "nope", "true"}), 1, "container nope does not exist");
  one_line(launch(bundle_, {"strat", "x"}), 2, "unknown command \"strat\" (see launch --help)");
  one_line(launch(bundle_, {"create", "--bundle", bundle_.dir(), "../x"}), 1,
           "container ID \"../x\" may only hold letters, digits, '_', '.', '+' and '-'");
  one_line(launch(bundle_, {"create", "--bundle", bundle_.dir(), "--pid-file",
                            bundle_.dir() + "/missing/pid", id("pidfile")}),
           1, "--pid-file: " + bundle_.dir() + "/missing/pid: No such file or directory");
  EXPECT_EQ(bundle_.leftovers(), "");
  std::string not_socket = bundle_.dir() + "/not-a-socket";
  std::ofstream(not_socket) << "";
  bundle_.config()["process"]["terminal"] = true;
  bundle_.write_config();
  one_line(launch(bundle_, {"create", "--bundle", bundle_.dir(), "--console-socket", not_socket,
                            id("console")}),
           1, "--console-socket " + not_socket + ": Connection refused");
  bundle_.config()["process"]["terminal"] = false;
  bundle_.write_config();
  EXPECT_EQ(bundle_.leftovers(), "");

  const std::string c = id("bad");
  Cmd cmd = launch(bundle_, {"run", "-d", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.code, 0) << cmd.err;
  one_line(launch(bundle_, {"create", "--bundle", bundle_.dir(), c}), 1,
           "container " + c + " already exists (" + bundle_.state_root() + "/" + c + ")");
  one_line(launch(bundle_, {"start", c}), 1,
           "container " + c + " is running: start needs a created container");
  std::ofstream(bundle_.dir() + "/process.json") << R"({"args": "sh", "cwd": "/"})";
  one_line(launch(bundle_, {"exec", "--process", bundle_.dir() + "/process.json", c}), 1,
           "process.json: .args: expected an array, got \"sh\"");
  std::ofstream(bundle_.dir() + "/process.json") << R"({"args": ["sh"], "cwd": "/", )"
                                                    R"("rlimits": [{"type": "RLIMIT_X", )"
                                                    R"("hard": 1, "soft": 1}]})";
  cmd = launch(bundle_, {"exec", "--process", bundle_.dir() + "/process.json", c});
  EXPECT_EQ(cmd.code, 1);
  EXPECT_EQ(cmd.err.rfind("launch: error: process.json: .rlimits[0].type: ", 0), 0u) << cmd.err;
  EXPECT_EQ(state(c).value("status", ""), "running");
  EXPECT_EQ((cmd = launch(bundle_, {"delete", "--force", c})).code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// A state directory that a killed foreground launch left does not block a later run that gets
// the same pid: the derived ID is not the pid alone.
TEST_F(LifecycleTest, StaleStateOfTheSamePidDoesNotBlockARun) {
  bundle_.shell("echo ran");
  bundle_.write_config();
  std::string base = fs::path(bundle_.dir()).filename();
  std::string script = "mkdir -p " + bundle_.state_root() + "/" + base + "-$$; exec " +
                       Bundle::launch_path() + " --root " + bundle_.state_root() + " " +
                       bundle_.dir();
  std::string out = bundle_.dir() + "/stale.out";
  int fd = ::open(out.c_str(), O_WRONLY | O_CREAT, 0600);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, 1);
    ::execl("/bin/sh", "sh", "-c", script.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(fd);
  EXPECT_EQ(wait_code(pid), 0);
  EXPECT_EQ(read_text(out), "ran\n");
  fs::remove_all(bundle_.state_root());
  EXPECT_EQ(bundle_.leftovers(), "");
}

// launch SIGKILLed in the foreground ends the container, even when the exec raises the
// process's capabilities (a bounding set wider than the permitted one, noNewPrivileges false:
// the kernel then clears a parent-death signal set before the exec); what launch made is
// then found by `list` and cleaned by `delete --force`.
TEST_F(LifecycleTest, ForegroundLaunchKilledEndsTheContainer) {
  bundle_.config()["process"]["capabilities"]["bounding"].push_back("CAP_SYS_ADMIN");
  bundle_.config()["process"]["noNewPrivileges"] = false;
  expect_killed_launch_ends_the_container("echo ready; exec sleep 30");
}

// Without a pid namespace of its own, husk is not PID 1: its processes would outlive it. husk
// takes SIGTERM when launch dies and stops its whole tree, a background process included.
TEST_F(LifecycleTest, ForegroundLaunchKilledEndsTheContainerWithoutAPidNamespace) {
  bundle_.remove_namespace("pid");
  expect_killed_launch_ends_the_container("sleep 30 & echo ready; exec sleep 30");
}

void LifecycleTest::expect_killed_launch_ends_the_container(const std::string& script) {
  bundle_.shell(script);
  Running running = bundle_.start();
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  running.signal(SIGKILL);
  RunResult result = running.wait();
  EXPECT_EQ(result.exit_code, 128 + SIGKILL);
  int64_t deadline = now_ms() + 15000;
  auto has_process = [&] { return bundle_.leftovers().find("process ") != std::string::npos; };
  while (has_process() && now_ms() < deadline) ::usleep(20000);
  EXPECT_FALSE(has_process()) << bundle_.leftovers();
  Cmd list = launch(bundle_, {"list", "-q"});
  ASSERT_EQ(list.code, 0) << list.err;
  std::string stale = list.out.substr(0, list.out.find('\n'));
  ASSERT_FALSE(stale.empty());
  EXPECT_EQ(json::parse(launch(bundle_, {"state", stale}).out).value("status", ""), "stopped");
  Cmd cmd = launch(bundle_, {"delete", "--force", stale});
  EXPECT_EQ(cmd.code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// SIGTERM to a foreground launch at any moment of its start-up: it never leaves anything
// behind (before it blocks signals it has made nothing; after, the signal is taken and
// forwarded, and the container's own exit ends the run).
TEST_F(LifecycleTest, SigtermDuringStartUpLeavesNothing) {
  bundle_.shell("trap 'exit 42' TERM; sleep 2 & wait");
  bundle_.write_config();
  for (int delay_us : {0, 200, 500, 1000, 2000, 3000, 5000, 8000, 12000, 20000}) {
    Running running = bundle_.start();
    ::usleep(static_cast<useconds_t>(delay_us));
    running.signal(SIGTERM);
    RunResult result = running.wait(10000);
    EXPECT_NE(result.exit_code, -1) << delay_us;
    EXPECT_EQ(bundle_.leftovers(), "") << delay_us << "us, exit " << result.exit_code;
  }
}

}  // namespace
}  // namespace husk::e2e
