#include "spawn.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <string_view>

#include "channel.h"
#include "console.h"
#include "fault_injection.h"
#include "fd_passing.h"
#include "hooks.h"
#include "image_user.h"
#include "json_text.h"
#include "stage_runner.h"
#include "sysctl.h"

namespace husk::launch {
namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// "HUSK_SIGNAL_MASK=HEX" for husk (which takes it out of the environment it passes on): signals
// 1-64 of `mask` as /proc/PID/status shows them.
std::string signal_mask_variable(const sigset_t& mask) {
  uint64_t bits = 0;
  for (int sig = 1; sig <= 64; ++sig) {
    if (::sigismember(&mask, sig) == 1) bits |= uint64_t{1} << (sig - 1);
  }
  char text[40];
  (void)std::snprintf(text, sizeof text, "HUSK_SIGNAL_MASK=%016llx",
                      static_cast<unsigned long long>(bits));
  return text;
}

// The child's side of the set-up. Every failure ends the process.
class Child : public StageRunner {
 public:
  explicit Child(const ChildPlan& plan) : StageRunner(plan.channel), plan_(plan) {}

  [[noreturn]] void run();

 private:
  void wait_start(std::string* payload);

  void enter_namespaces();
  void fork_container_process();
  void set_up_container(const std::string& state);
  void set_up_console();
  [[noreturn]] void exec(const std::string& state);

  const ChildPlan& plan_;
};

// `launch create` has exited: the first connection to the listener is `launch start`.
void Child::wait_start(std::string* payload) {
  int connection = -1;
  do {
    connection = ::accept4(plan_.start_listener, nullptr, nullptr, SOCK_CLOEXEC);
  } while (connection < 0 && errno == EINTR);
  if (connection < 0) ::_exit(1);
  ::close(plan_.start_listener);
  channel_ = connection;
  wait_go(payload);
  // start tells a released process from one that died before the go reached it by this reply.
  send(ChildEvent::kReleased);
}

void Child::enter_namespaces() {
  const NamespacePlan& ns = *plan_.namespaces;
  JoinFailure joined = join_namespaces(*plan_.joins);
  if (joined.error != 0) {
    const NamespaceJoin& join = ns.joins[joined.index];
    fail(ChildStage::kJoinNamespaces, joined.error,
         std::string(oci::namespace_name(join.type)) + " " + join.path);
  }
  if (ns.unshare_flags != 0 && ::unshare(ns.unshare_flags) != 0)
    fail(ChildStage::kCreateNamespaces, errno, "unshare");
}

void Child::fork_container_process() {
  const NamespacePlan& ns = *plan_.namespaces;
  if (ns.unshare_for_children != 0 && ::unshare(ns.unshare_for_children) != 0)
    fail(ChildStage::kCreateNamespaces, errno, "unshare pid/time");
  if (ns.new_time) {
    send(ChildEvent::kForChildren);
    wait_go();
  }
  fork_process();
}

void Child::set_up_console() {
  auto pty = open_pty();
  if (!pty.ok()) fail(ChildStage::kConsole, pty.error());
  check(ChildStage::kConsole, rootfs::bind_console(pty->slave.get()));
  // The container's user owns its terminal (unless that uid is not mapped here).
  uid_t uid = plan_.config->process->user.uid;
  if (::fchown(pty->slave.get(), uid, static_cast<gid_t>(-1)) != 0 && errno != EINVAL &&
      errno != EPERM)
    fail(ChildStage::kConsole, errno, "chown " + pty->path);
  check(ChildStage::kConsole, attach_terminal(pty->slave.get()));
  if (int error = process::send_fd_with_data(plan_.console_sink, pty->master.get(), pty->path);
      error != 0)
    fail(ChildStage::kConsole, error, "passing the terminal to launch");
}

void Child::set_up_container(const std::string& state) {
  const oci::Config& config = *plan_.config;
  if (!config.hostname.empty() &&
      ::sethostname(config.hostname.data(), config.hostname.size()) != 0)
    fail(ChildStage::kHostname, errno, config.hostname);
  if (!config.domainname.empty() &&
      ::setdomainname(config.domainname.data(), config.domainname.size()) != 0)
    fail(ChildStage::kHostname, errno, "domainname " + config.domainname);
  check(process::apply_process_early(*plan_.process));
  phases_[kPhaseNamespaces] = realtime_ns();
  // The spec's order: the mounts, then the runtime's prestart and createRuntime hooks (in the
  // parent), then createContainer here in the container's namespaces, then pivot_root.
  const bool pause = pauses_before_pivot(config.hooks);
  auto before_pivot = [&]() -> Status {
    phases_[kPhaseMounted] = realtime_ns();
    if (!pause) return Status();
    send(ChildEvent::kMounted);
    wait_go(nullptr);
    check(ChildStage::kHooks,
          process::run_hooks(config.hooks.create_container, "createContainer", state));
    return Status();
  };
  check(ChildStage::kRootfs, rootfs::prepare_rootfs(config, plan_.rootfs, before_pivot));
  phases_[kPhaseRootfs] = realtime_ns();
  check(process::apply_sysctls(plan_.process->sysctls));
  if (plan_.console_sink >= 0) set_up_console();
  check(ChildStage::kRootfs, rootfs::finalize_rootfs(config, plan_.rootfs));
  phases_[kPhaseFinalized] = realtime_ns();
  change_directory(plan_.config->process->cwd);
  mark_fds_cloexec(plan_.preserve_fds);
  phases_[kPhaseProcess] = realtime_ns();
}

void Child::exec(const std::string& state) {
  const oci::Config& config = *plan_.config;
  const std::string& name = config.process->args.front();
  std::string path;
  if (int error = resolve_executable(name, plan_.env, path); error != 0)
    fail(ChildStage::kExec, error, "process.args[0] " + json_quote(name));
  // As runc and crun: HOME and the supplementary groups from the image's own user database.
  const process::ImageUser user = process::read_image_user(plan_.process->credentials.uid);
  // Held for `launch start`: create exits, and its death must not end the container.
  if (plan_.start_listener >= 0) ::prctl(PR_SET_PDEATHSIG, 0);
  send(ChildEvent::kReady);
  std::string start_state;
  if (plan_.start_listener >= 0) {
    wait_start(&start_state);
  } else if (plan_.wait_for_start) {
    wait_go(&start_state);
  }

  check(ChildStage::kHooks,
        process::run_hooks(config.hooks.start_container, "startContainer", start_state));
  ExecVectors vectors(plan_.argv, plan_.env, user.home);
  (void)state;

  // SCMP_ACT_NOTIFY in a created container: its listener goes to `launch start`.
  const int listener_sink = plan_.start_listener >= 0 ? channel_ : plan_.listener_sink;
  check(process::apply_process_final(*plan_.process, listener_sink, user.groups));
  check(ChildStage::kExec, injected_fault("exec"));
  // Credentials changes cleared the parent-death signal (launch in the foreground only).
  if (plan_.start_listener < 0) ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (plan_.init_fd >= 0) {
    // husk is PID 1 of a pid namespace: until it blocks signals, the kernel drops a signal
    // launch forwards to it (default action). Blocked signals stay pending across execve, so
    // husk starts with all of them blocked and gives the user's process the original mask.
    std::string mask = signal_mask_variable(plan_.signal_mask);
    vectors.add_env(mask.data());
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::syscall(SYS_execveat, plan_.init_fd, "", vectors.argv(), vectors.envp(), AT_EMPTY_PATH);
    fail(ChildStage::kExec, errno, "husk (sealed copy)");
  }
  ::sigprocmask(SIG_SETMASK, &plan_.signal_mask, nullptr);
  ::execve(path.c_str(), vectors.argv(), vectors.envp());
  fail(ChildStage::kExec, errno, "process.args[0] " + json_quote(name));
}

void Child::run() {
  phases_[kPhaseChildStart] = realtime_ns();
  if (plan_.close_first >= 0) ::close(plan_.close_first);
  if (plan_.parent_end >= 0) ::close(plan_.parent_end);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Before anything else: every later step, a fork and the exec happen in the cgroup.
  join_cgroup(plan_.cgroup);
  enter_namespaces();
  std::string state;
  const NamespacePlan& ns = *plan_.namespaces;
  if (plan_.namespaces_round_trip) {
    send(ChildEvent::kNamespaces);
    wait_go(ns.fork_child ? nullptr : &state);
  }
  if (ns.new_user && (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0))
    fail(ChildStage::kUserNamespace, errno, "becoming root in it");
  // No container process may open our /proc/PID/exe or memory while we set up.
  ::prctl(PR_SET_DUMPABLE, 0);
  if (ns.new_cgroup && ::unshare(CLONE_NEWCGROUP) != 0)
    fail(ChildStage::kCgroupNamespace, errno, "unshare");
  if (ns.fork_child) {
    fork_container_process();
    wait_go(&state);
  }
  set_up_container(state);
  exec(state);
}

}  // namespace

int resolve_executable(const std::string& name, const std::vector<std::string>& env,
                       std::string& path) {
  auto executable = [](const std::string& candidate) {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0) return errno;
    if (!S_ISREG(st.st_mode)) return EACCES;
    return ::faccessat(AT_FDCWD, candidate.c_str(), X_OK, AT_EACCESS) == 0 ? 0 : errno;
  };
  if (name.empty()) return ENOENT;
  if (name.find('/') != std::string::npos) {
    path = name;
    return executable(name);
  }
  std::string_view search = kDefaultPath;
  for (const std::string& var : env) {
    if (var.rfind("PATH=", 0) == 0) search = std::string_view(var).substr(5);
  }
  int result = ENOENT;
  while (true) {
    size_t colon = search.find(':');
    std::string_view dir = search.substr(0, colon);
    std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
    int error = executable(candidate);
    if (error == 0) {
      path = candidate;
      return 0;
    }
    if (error == EACCES) result = EACCES;
    if (colon == std::string_view::npos) break;
    search.remove_prefix(colon + 1);
  }
  return result;
}

Result<pid_t> spawn_child(const ChildPlan& plan) {
  const int cgroup_fd = plan.cgroup != nullptr ? plan.cgroup->v2_dir.get() : -1;
  pid_t pid = clone3_fork(static_cast<uint64_t>(plan.namespaces->clone_flags), cgroup_fd);
  if (pid < 0)
    return Error::from_errno(cgroup_fd >= 0 ? "clone3 into the container's cgroup" : "clone3");
  if (pid == 0) Child(plan).run();
  return pid;
}

}  // namespace husk::launch
