// The real tests of the apply steps (suite 'e2e', as root): a child forked from the test applies
// a PreparedProcess and reports what it sees, before and after execve of process_probe.
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "fd_passing.h"
#include "oci_config.h"
#include "probe_report.h"
#include "process_setup.h"
#include "unique_fd.h"

namespace husk::process {
namespace {

using Report = std::map<std::string, std::string>;

Report parse_report(const std::string& text) {
  Report report;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) report[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return report;
}

struct Outcome {
  std::string output;
  int status = 0;
  Report report() const { return parse_report(output); }
};

// Forks a child that runs body(fd), fd being the write end of a pipe whose text comes back in
// Outcome::output, and exits with body's return value. `meanwhile` runs in the parent while
// the child runs, with the child's pid.
Outcome in_child(const std::function<int(int)>& body,
                 const std::function<void(pid_t)>& meanwhile = nullptr) {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid = fork();
  if (pid == 0) {
    read_end.reset();
    _exit(body(write_end.get()));
  }
  write_end.reset();
  if (meanwhile) meanwhile(pid);
  Outcome outcome;
  char buffer[4096];
  for (ssize_t n; (n = read(read_end.get(), buffer, sizeof buffer)) > 0;)
    outcome.output.append(buffer, static_cast<size_t>(n));
  waitpid(pid, &outcome.status, 0);
  return outcome;
}

void put(int fd, const std::string& text) { (void)!write(fd, text.data(), text.size()); }

const char* probe_path() {
  const char* path = std::getenv("HUSK_PROCESS_PROBE");
  return path != nullptr ? path : "process_probe";
}

// The config around the given members of "process" and "linux", prepared.
PreparedProcess prepare(const std::string& process_members, const std::string& linux_members) {
  std::string json = R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"},
    "process": {"args": ["/probe"], "cwd": "/")" +
                     (process_members.empty() ? "" : ", " + process_members) + R"(}, "linux": {)" +
                     linux_members + "}}";
  auto config = oci::parse_config(json);
  EXPECT_TRUE(config.ok()) << config.error().text() << "\n" << json;
  if (!config.ok()) return {};
  auto prepared = prepare_process(*config);
  EXPECT_TRUE(prepared.ok()) << prepared.error().text();
  return prepared.ok() ? std::move(*prepared) : PreparedProcess{};
}

enum class Then { kReport, kExecProbe };

// Child body: applies everything, then reports itself or execs `probe`. A failure is
// reported as "failure=stage index errno".
std::function<int(int)> apply_then(const PreparedProcess& prepared, Then then,
                                   const std::string& probe, int sink,
                                   const std::function<void(int)>& after) {
  return [&prepared, then, probe, sink, after](int out) {
    ApplyFailure failure = apply_process(prepared, sink);
    if (!failure.ok()) {
      put(out, "failure=" + std::to_string(static_cast<int>(failure.stage)) + " " +
                   std::to_string(failure.index) + " " + std::to_string(failure.error) + "\n");
      return 1;
    }
    if (after) after(out);
    if (then == Then::kExecProbe) {
      dup2(out, STDOUT_FILENO);
      execl(probe.c_str(), "process_probe", nullptr);
      return 126;
    }
    put(out, testing::probe_report());
    return 0;
  };
}

std::string failure_text(const PreparedProcess& prepared, const Report& report) {
  auto it = report.find("failure");
  if (it == report.end()) return "";
  int stage = 0, index = 0, error = 0;
  std::istringstream(it->second) >> stage >> index >> error;
  return describe_failure(prepared, {static_cast<Stage>(stage), index, error}).text();
}

std::string hex_caps(uint64_t mask) {
  char text[17];
  (void)snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(mask));
  return text;
}

class Apply : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
    char dir_template[] = "/tmp/husk-process-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
    chmod(dir_.c_str(), 0777);
    // The probe runs as a non-root user, who may not reach the build folder (a clone in a
    // 0700 home): it runs from a copy in the world-traversable temporary folder.
    probe_ = dir_ + "/process_probe";
    std::filesystem::copy_file(probe_path(), probe_);
    ASSERT_EQ(chmod(probe_.c_str(), 0755), 0);
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }
  std::function<int(int)> apply_and(const PreparedProcess& prepared, Then then, int sink = -1,
                                    const std::function<void(int)>& after = nullptr) const {
    return apply_then(prepared, then, probe_, sink, after);
  }
  std::string dir_;
  std::string probe_;
};

constexpr uint64_t kChown = 1ULL << CAP_CHOWN;
constexpr uint64_t kDacOverride = 1ULL << CAP_DAC_OVERRIDE;
constexpr uint64_t kKill = 1ULL << CAP_KILL;
constexpr uint64_t kNetBind = 1ULL << CAP_NET_BIND_SERVICE;
constexpr uint64_t kSysAdmin = 1ULL << CAP_SYS_ADMIN;

TEST_F(Apply, RootKeepsOnlyTheGrantedCapabilities) {
  PreparedProcess prepared = prepare(R"("capabilities": {
      "bounding": ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_KILL"],
      "permitted": ["CAP_CHOWN", "CAP_KILL"], "effective": ["CAP_CHOWN", "CAP_KILL"]})",
                                     "");
  Report before = in_child(apply_and(prepared, Then::kReport)).report();
  EXPECT_EQ(before["CapBnd"], hex_caps(kChown | kDacOverride | kKill));
  EXPECT_EQ(before["CapPrm"], hex_caps(kChown | kKill));
  EXPECT_EQ(before["CapEff"], hex_caps(kChown | kKill));
  EXPECT_EQ(before["CapInh"], hex_caps(0));
  EXPECT_EQ(before["CapAmb"], hex_caps(0));

  // After execve, uid 0 gets its bounding set (capabilities(7)); nothing outside it.
  Outcome exec = in_child(apply_and(prepared, Then::kExecProbe));
  ASSERT_EQ(exec.status, 0) << exec.output;
  Report after = exec.report();
  EXPECT_EQ(after["CapBnd"], hex_caps(kChown | kDacOverride | kKill));
  EXPECT_EQ(after["CapEff"], hex_caps(kChown | kDacOverride | kKill));
  EXPECT_EQ(after["CapInh"], hex_caps(0));
  EXPECT_EQ(after["CapAmb"], hex_caps(0));
  for (const char* set : {"CapBnd", "CapPrm", "CapEff", "CapInh", "CapAmb"})
    EXPECT_EQ(std::stoull(after[set], nullptr, 16) & kSysAdmin, 0U) << set;
}

TEST_F(Apply, UserGroupsUmaskAndAmbientCapabilities) {
  PreparedProcess prepared = prepare(R"(
      "user": {"uid": 1000, "gid": 1001, "additionalGids": [10, 20], "umask": 23},
      "capabilities": {"bounding": ["CAP_NET_BIND_SERVICE"], "permitted": ["CAP_NET_BIND_SERVICE"],
        "effective": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"],
        "ambient": ["CAP_NET_BIND_SERVICE"]})",
                                     "");
  Report before = in_child(apply_and(prepared, Then::kReport)).report();
  EXPECT_EQ(before["Uid"], "1000 1000 1000 1000");
  EXPECT_EQ(before["Gid"], "1001 1001 1001 1001");
  EXPECT_EQ(before["Groups"], "10 20");
  EXPECT_EQ(before["Umask"], "0027");
  EXPECT_EQ(before["CapEff"], hex_caps(kNetBind));
  EXPECT_EQ(before["CapAmb"], hex_caps(kNetBind));

  // A non-root user keeps an ambient capability across execve, and nothing else.
  Outcome exec = in_child(apply_and(prepared, Then::kExecProbe));
  ASSERT_EQ(exec.status, 0) << exec.output;
  Report after = exec.report();
  EXPECT_EQ(after["euid"], "1000");
  EXPECT_EQ(after["CapEff"], hex_caps(kNetBind));
  EXPECT_EQ(after["CapPrm"], hex_caps(kNetBind));
  EXPECT_EQ(after["CapInh"], hex_caps(kNetBind));
  EXPECT_EQ(after["CapAmb"], hex_caps(kNetBind));
  EXPECT_EQ(after["CapBnd"], hex_caps(kNetBind));
}

TEST_F(Apply, WithoutCapabilitiesANonRootUserHasNone) {
  PreparedProcess prepared = prepare(R"("user": {"uid": 1000, "gid": 1000})", "");
  Outcome exec = in_child(apply_and(prepared, Then::kExecProbe));
  ASSERT_EQ(exec.status, 0) << exec.output;
  Report after = exec.report();
  EXPECT_EQ(after["CapEff"], hex_caps(0));
  EXPECT_EQ(after["CapPrm"], hex_caps(0));
  EXPECT_EQ(after["Groups"], "");  // setgroups([]) dropped root's groups
  EXPECT_EQ(after["Umask"], "0022");
}

TEST_F(Apply, RlimitsOomIoprioSchedulerPersonality) {
  PreparedProcess prepared = prepare(
      R"("rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1000, "hard": 2000},
                     {"type": "RLIMIT_CORE", "soft": 0, "hard": 0}],
         "oomScoreAdj": 500,
         "ioPriority": {"class": "IOPRIO_CLASS_BE", "priority": 6},
         "scheduler": {"policy": "SCHED_BATCH", "nice": 7})",
      R"("personality": {"domain": "LINUX32", "flags": ["ADDR_NO_RANDOMIZE"]})");
  Outcome exec = in_child(apply_and(prepared, Then::kExecProbe));
  ASSERT_EQ(exec.status, 0) << exec.output;
  Report after = exec.report();
  EXPECT_EQ(after["nofile"], "1000/2000");
  EXPECT_EQ(after["oom_score_adj"], "500");
  EXPECT_EQ(after["ioprio"], std::to_string((2 << 13) | 6));
  EXPECT_EQ(after["sched"], "3/7/0");  // SCHED_BATCH, nice 7
  EXPECT_EQ(after["personality"],
            std::to_string(PER_LINUX32 | static_cast<int>(ADDR_NO_RANDOMIZE)));
}

// Above fs.nr_open not even CAP_SYS_RESOURCE can raise RLIMIT_NOFILE: EPERM on every host.
TEST_F(Apply, RlimitAboveTheHardLimitFailsWithOneLine) {
  std::ifstream nr_open_file("/proc/sys/fs/nr_open");
  uint64_t nr_open = 0;
  ASSERT_TRUE(nr_open_file >> nr_open);
  const std::string n = std::to_string(nr_open + 1);
  PreparedProcess prepared = prepare(
      R"("rlimits": [{"type": "RLIMIT_NOFILE", "soft": )" + n + ", \"hard\": " + n + "}]", "");
  Outcome outcome = in_child(apply_and(prepared, Then::kReport));
  EXPECT_EQ(WEXITSTATUS(outcome.status), 1);
  EXPECT_EQ(
      failure_text(prepared, outcome.report()),
      "process.rlimits[0]: RLIMIT_NOFILE: setrlimit " + n + "/" + n + ": Operation not permitted");
}

TEST_F(Apply, NoNewPrivilegesHoldsAcrossASetuidExec) {
  struct statvfs fs {};
  ASSERT_EQ(statvfs(dir_.c_str(), &fs), 0);
  if (fs.f_flag & ST_NOSUID) GTEST_SKIP() << dir_ << " is on a nosuid mount";
  const std::string setuid_probe = dir_ + "/probe";
  std::filesystem::copy_file(probe_, setuid_probe);
  ASSERT_EQ(chown(setuid_probe.c_str(), 0, 0), 0);
  ASSERT_EQ(chmod(setuid_probe.c_str(), 04755), 0);
  auto exec_setuid = [&](const PreparedProcess& prepared) {
    return in_child([&](int out) {
      if (!apply_process(prepared, -1).ok()) return 1;
      dup2(out, STDOUT_FILENO);
      execl(setuid_probe.c_str(), "probe", nullptr);
      return 126;
    });
  };

  // Without noNewPrivileges the setuid bit works: the test can tell the difference.
  Outcome plain = exec_setuid(prepare(R"("user": {"uid": 1000, "gid": 1000})", ""));
  ASSERT_EQ(plain.status, 0) << plain.output;
  EXPECT_EQ(plain.report()["euid"], "0");

  Outcome nnp =
      exec_setuid(prepare(R"("user": {"uid": 1000, "gid": 1000}, "noNewPrivileges": true)", ""));
  ASSERT_EQ(nnp.status, 0) << nnp.output;
  Report report = nnp.report();
  EXPECT_EQ(report["euid"], "1000");
  EXPECT_EQ(report["NoNewPrivs"], "1");
  EXPECT_EQ(report["CapEff"], hex_caps(0));
}

// --- seccomp

std::string errno_of(long result) { return result < 0 ? std::to_string(errno) : "ok"; }

TEST_F(Apply, SeccompErrnoAndArgumentConditions) {
  // Loaded before the switch to uid 1000 (noNewPrivileges is false): the order needs
  // CAP_SYS_ADMIN at load time, and the later set-up syscalls run under the filter.
  PreparedProcess prepared = prepare(R"("user": {"uid": 1000, "gid": 1000})", R"(
      "seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
        "syscalls": [
          {"names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
          {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13,
           "args": [{"index": 1, "value": 448, "op": "SCMP_CMP_EQ"}]}]})");
  const std::string a = dir_ + "/a", b = dir_ + "/b";
  Report report =
      in_child(apply_and(prepared, Then::kReport, -1, [&](int out) {
        char cwd[256];
        put(out,
            "getcwd=" + std::string(getcwd(cwd, sizeof cwd) ? "ok" : std::to_string(errno)) + "\n");
        put(out, "mkdir0700=" + errno_of(syscall(SYS_mkdir, a.c_str(), 0700)) + "\n");
        put(out, "mkdir0755=" + errno_of(syscall(SYS_mkdir, b.c_str(), 0755)) + "\n");
      })).report();
  EXPECT_EQ(report["getcwd"], std::to_string(EPERM));
  EXPECT_EQ(report["mkdir0700"], std::to_string(EACCES));
  EXPECT_EQ(report["mkdir0755"], "ok");
  EXPECT_EQ(report["Seccomp"], "2");
  EXPECT_EQ(report["Seccomp_filters"], "1");
  EXPECT_EQ(report["Uid"], "1000 1000 1000 1000");
  EXPECT_FALSE(std::filesystem::exists(a));
  EXPECT_TRUE(std::filesystem::exists(b));
}

TEST_F(Apply, SeccompKillActionsKillWithSigsys) {
  for (const char* action : {"SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD"}) {
    PreparedProcess prepared = prepare(R"("noNewPrivileges": true)",
                                       R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
          "syscalls": [{"names": ["uname"], "action": ")" +
                                           std::string(action) + R"("}]})");
    Outcome outcome = in_child(apply_and(prepared, Then::kReport, -1, [](int out) {
      put(out, "before=1\n");
      utsname name{};
      uname(&name);
      put(out, "after=1\n");
    }));
    Report report = outcome.report();
    EXPECT_EQ(report["before"], "1") << action;
    EXPECT_EQ(report.count("after"), 0U) << action;
    ASSERT_TRUE(WIFSIGNALED(outcome.status)) << action << " status " << outcome.status;
    EXPECT_EQ(WTERMSIG(outcome.status), SIGSYS) << action;
  }
}

TEST_F(Apply, SeccompNotifyHandsTheListenerToTheAgent) {
  const std::string socket_path = dir_ + "/agent.sock";
  UniqueFd agent(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  (void)std::snprintf(address.sun_path, sizeof address.sun_path, "%s", socket_path.c_str());
  ASSERT_EQ(bind(agent.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(agent.get(), 1), 0);

  PreparedProcess prepared = prepare(R"("noNewPrivileges": true)",
                                     R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW",
        "listenerPath": ")" + socket_path +
                                         R"(", "listenerMetadata": "probe-meta",
        "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_NOTIFY"}]})");
  ASSERT_TRUE(prepared.seccomp && prepared.seccomp->new_listener);

  int sink[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sink), 0);
  UniqueFd runtime_end(sink[0]);
  UniqueFd child_end(sink[1]);
  std::string message;
  int notified_nr = -1;
  pid_t notified_pid = 0, child_pid = 0;
  Outcome outcome = in_child(
      apply_and(
          prepared, Then::kReport, child_end.get(),
          [](int out) { put(out, "getppid=" + std::to_string(syscall(SYS_getppid)) + "\n"); }),
      [&](pid_t pid) {
        child_pid = pid;
        child_end.reset();
        // The runtime's part: take the listener fd from the child, hand it to the agent.
        auto listener = receive_fd(runtime_end.get());
        ASSERT_TRUE(listener.ok()) << listener.error().text();
        Status sent = send_to_seccomp_agent(*prepared.seccomp, listener->get(), pid,
                                            R"({"ociVersion":"1.2.0","id":"probe"})");
        ASSERT_TRUE(sent.ok()) << sent.error().text();
        ASSERT_EQ(write(runtime_end.get(), "1", 1), 1);  // the child waits for this
        // The agent's part: accept, take the fd, answer one notification.
        UniqueFd connection(accept4(agent.get(), nullptr, nullptr, SOCK_CLOEXEC));
        ASSERT_TRUE(connection.valid());
        auto notify_fd = receive_fd(connection.get(), &message);
        ASSERT_TRUE(notify_fd.ok()) << notify_fd.error().text();
        pollfd pfd{notify_fd->get(), POLLIN, 0};
        ASSERT_EQ(poll(&pfd, 1, 5000), 1) << "no notification within 5s";
        seccomp_notif request{};
        ASSERT_EQ(ioctl(notify_fd->get(), SECCOMP_IOCTL_NOTIF_RECV, &request), 0);
        notified_nr = request.data.nr;
        notified_pid = static_cast<pid_t>(request.pid);
        seccomp_notif_resp response{};
        response.id = request.id;
        response.val = 4242;
        ASSERT_EQ(ioctl(notify_fd->get(), SECCOMP_IOCTL_NOTIF_SEND, &response), 0);
      });
  EXPECT_EQ(outcome.status, 0) << outcome.output;
  EXPECT_EQ(outcome.report()["getppid"], "4242");
  EXPECT_EQ(notified_nr, SYS_getppid);
  EXPECT_EQ(notified_pid, child_pid);
  EXPECT_EQ(message,
            R"({"ociVersion":"1.2.0","fds":["seccompFd"],"pid":)" + std::to_string(child_pid) +
                R"(,"metadata":"probe-meta","state":{"ociVersion":"1.2.0","id":"probe"}})");
}

// --- credentials in a user namespace whose setgroups is denied

void write_file(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST_F(Apply, SetgroupsDeniedInAUserNamespaceIsSkippedOnlyWhenNoGroupsAreAsked) {
  auto in_user_namespace = [](const Credentials& credentials) {
    return in_child([&](int out) {
      if (unshare(CLONE_NEWUSER) != 0) return 2;
      write_file("/proc/self/setgroups", "deny");
      write_file("/proc/self/uid_map", "0 0 1");
      write_file("/proc/self/gid_map", "0 0 1");
      ApplyFailure failure = apply_credentials(credentials);
      put(out, "stage=" + std::to_string(static_cast<int>(failure.stage)) + "\n");
      put(out, "error=" + std::to_string(failure.error) + "\n");
      return 0;
    });
  };
  Outcome no_groups = in_user_namespace(Credentials{0, 0, {}, 022});
  ASSERT_EQ(no_groups.status, 0);
  EXPECT_EQ(no_groups.report()["stage"], "0");

  Outcome groups = in_user_namespace(Credentials{0, 0, {0}, 022});
  ASSERT_EQ(groups.status, 0);
  EXPECT_EQ(groups.report()["stage"], std::to_string(static_cast<int>(Stage::kSetgroups)));
  EXPECT_EQ(groups.report()["error"], std::to_string(EPERM));
}

// --- sysctl

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

TEST_F(Apply, SysctlsAreWrittenInTheContainersNamespaces) {
  const std::string host_shmmni = read_text("/proc/sys/kernel/shmmni");
  const std::string host_name = read_text("/proc/sys/kernel/hostname");
  PreparedProcess prepared = prepare("", R"("namespaces": [{"type": "ipc"}, {"type": "uts"}],
             "sysctl": {"kernel.shmmni": "1234", "kernel.hostname": "husk-sysctl"})");
  ASSERT_EQ(prepared.sysctls.size(), 2U);
  Outcome outcome = in_child([&](int out) {
    if (unshare(CLONE_NEWIPC | CLONE_NEWUTS) != 0) return 2;
    if (!apply_sysctls(prepared.sysctls).ok()) return 3;
    put(out, "shmmni=" + read_text("/proc/sys/kernel/shmmni") + "\n");
    put(out, "hostname=" + read_text("/proc/sys/kernel/hostname") + "\n");
    return 0;
  });
  ASSERT_EQ(outcome.status, 0);
  EXPECT_EQ(outcome.report()["shmmni"], "1234");
  EXPECT_EQ(outcome.report()["hostname"], "husk-sysctl");
  EXPECT_EQ(read_text("/proc/sys/kernel/shmmni"), host_shmmni);
  EXPECT_EQ(read_text("/proc/sys/kernel/hostname"), host_name);
}

}  // namespace
}  // namespace husk::process
