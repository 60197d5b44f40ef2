#include "spawn.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/prctl.h>
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
#include "sysctl.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace husk::launch {
namespace {

constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// fork() through clone3, with namespace flags; CLONE_PARENT makes the child our sibling.
pid_t clone3_fork(uint64_t flags) {
  clone_args args{};
  args.flags = flags;
  // With CLONE_PARENT the child inherits our own exit signal (SIGCHLD); clone3 wants 0 then.
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

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
class Child {
 public:
  explicit Child(const ChildPlan& plan) : plan_(plan) {}

  [[noreturn]] void run();

 private:
  [[noreturn]] void fail(ChildStage stage, int error, std::string_view text) {
    ChildMessage message;
    message.event = ChildEvent::kFailed;
    message.stage = stage;
    message.error = error;
    set_text(message, text);
    (void)Channel::send(plan_.channel, message);
    ::_exit(1);
  }
  [[noreturn]] void fail(ChildStage stage, const Error& error) {
    fail(stage, error.errno_value(), error.message());
  }
  void check(ChildStage stage, const Status& status) {
    if (!status.ok()) fail(stage, status.error());
  }
  void check(const process::ApplyFailure& failure) {
    if (failure.ok()) return;
    ChildMessage message;
    message.event = ChildEvent::kFailed;
    message.stage = ChildStage::kProcess;
    message.error = failure.error;
    message.apply = failure;
    (void)Channel::send(plan_.channel, message);
    ::_exit(1);
  }
  void send(ChildEvent event, pid_t pid = 0) {
    ChildMessage message;
    message.event = event;
    message.pid = pid;
    std::copy(std::begin(phases_), std::end(phases_), std::begin(message.phases));
    if (Channel::send(plan_.channel, message) != 0) ::_exit(1);
  }
  void wait_go(std::string* payload = nullptr) {
    if (Channel::wait_go(plan_.channel, payload) != 0) ::_exit(1);
  }

  void enter_namespaces();
  void fork_container_process();
  void set_up_container(const std::string& state);
  void set_up_console();
  void change_directory();
  void mark_fds_cloexec();
  [[noreturn]] void exec(const std::string& state);

  const ChildPlan& plan_;
  int64_t phases_[kPhaseCount] = {};
};

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
  pid_t pid = clone3_fork(CLONE_PARENT);
  if (pid < 0) fail(ChildStage::kFork, errno, "clone3");
  if (pid > 0) {
    send(ChildEvent::kForked, pid);
    ::_exit(0);
  }
  // The parent-death signal is not inherited; launch is our parent now.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
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

void Child::change_directory() {
  const std::string& cwd = plan_.config->process->cwd;
  if (::chdir(cwd.c_str()) != 0) fail(ChildStage::kCwd, errno, cwd);
  // A cwd reached through an fd of the host (/proc/self/fd/N) lies outside the new root: the
  // kernel then gives getcwd() no path from "/" (glibc says ENOENT).
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    fail(ChildStage::kCwd, 0, cwd + ": outside the container's root");
}

void Child::mark_fds_cloexec() {
  unsigned int first = 3U + static_cast<unsigned int>(plan_.preserve_fds);
  if (::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    fail(ChildStage::kFds, errno, "close_range");
  for (int fd = 3; fd < static_cast<int>(first); ++fd) {
    if (::fcntl(fd, F_SETFD, 0) != 0)
      fail(ChildStage::kFds, errno, "--preserve-fds: fd " + std::to_string(fd));
  }
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
  auto before_pivot = [&]() -> Status {
    send(ChildEvent::kMounted);
    wait_go(nullptr);
    check(ChildStage::kHooks,
          process::run_hooks(config.hooks.create_container, "createContainer", state));
    return Status();
  };
  check(ChildStage::kRootfs,
        rootfs::prepare_rootfs(
            config, plan_.rootfs,
            pauses_before_pivot(config.hooks) ? before_pivot : std::function<Status()>()));
  phases_[kPhaseRootfs] = realtime_ns();
  check(process::apply_sysctls(plan_.process->sysctls));
  if (plan_.console_sink >= 0) set_up_console();
  check(ChildStage::kRootfs, rootfs::finalize_rootfs(config, plan_.rootfs));
  phases_[kPhaseFinalized] = realtime_ns();
  change_directory();
  mark_fds_cloexec();
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
  send(ChildEvent::kReady);
  std::string start_state;
  wait_go(&start_state);

  check(ChildStage::kHooks,
        process::run_hooks(config.hooks.start_container, "startContainer", start_state));
  std::vector<char*> argv;
  for (const std::string& arg : plan_.argv) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::string home = "HOME=" + user.home;
  std::vector<char*> envp;
  for (const std::string& var : plan_.env) {
    if (var.rfind("HOME=", 0) == 0) home.clear();
    envp.push_back(const_cast<char*>(var.c_str()));
  }
  if (!home.empty()) envp.push_back(home.data());
  envp.push_back(nullptr);
  (void)state;

  check(process::apply_process_final(*plan_.process, plan_.listener_sink, user.groups));
  check(ChildStage::kExec, injected_fault("exec"));
  // Credentials changes cleared the parent-death signal.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (plan_.init_fd >= 0) {
    // husk is PID 1 of a pid namespace: until it blocks signals, the kernel drops a signal
    // launch forwards to it (default action). Blocked signals stay pending across execve, so
    // husk starts with all of them blocked and gives the user's process the original mask.
    std::string mask = signal_mask_variable(plan_.signal_mask);
    envp.insert(envp.end() - 1, mask.data());
    sigset_t all;
    ::sigfillset(&all);
    ::sigprocmask(SIG_SETMASK, &all, nullptr);
    ::syscall(SYS_execveat, plan_.init_fd, "", argv.data(), envp.data(), AT_EMPTY_PATH);
    fail(ChildStage::kExec, errno, "husk (sealed copy)");
  }
  ::sigprocmask(SIG_SETMASK, &plan_.signal_mask, nullptr);
  ::execve(path.c_str(), argv.data(), envp.data());
  fail(ChildStage::kExec, errno, "process.args[0] " + json_quote(name));
}

void Child::run() {
  phases_[kPhaseChildStart] = realtime_ns();
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  enter_namespaces();
  std::string state;
  const NamespacePlan& ns = *plan_.namespaces;
  send(ChildEvent::kNamespaces);
  wait_go(ns.fork_child ? nullptr : &state);
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
  pid_t pid = clone3_fork(static_cast<uint64_t>(plan.namespaces->clone_flags));
  if (pid < 0) return Error::from_errno("clone3");
  if (pid == 0) Child(plan).run();
  return pid;
}

}  // namespace husk::launch
