#include "stage_runner.h"

#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace husk::launch {

pid_t clone3_fork(uint64_t flags, int cgroup_fd) {
  clone_args args{};
  args.flags = flags;
  if (cgroup_fd >= 0) {
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = static_cast<uint64_t>(cgroup_fd);
  }
  // With CLONE_PARENT the child inherits our own exit signal (SIGCHLD); clone3 wants 0 then.
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  return static_cast<pid_t>(::syscall(SYS_clone3, &args, sizeof args));
}

ExecVectors::ExecVectors(const std::vector<std::string>& args, const std::vector<std::string>& env,
                         const std::string& home)
    : home_("HOME=" + home) {
  for (const std::string& arg : args) argv_.push_back(const_cast<char*>(arg.c_str()));
  argv_.push_back(nullptr);
  bool has_home = false;
  for (const std::string& var : env) {
    has_home = has_home || var.rfind("HOME=", 0) == 0;
    envp_.push_back(const_cast<char*>(var.c_str()));
  }
  if (!has_home) envp_.push_back(home_.data());
  envp_.push_back(nullptr);
}

void StageRunner::fail(ChildStage stage, int error, std::string_view text) {
  ChildMessage message;
  message.event = ChildEvent::kFailed;
  message.stage = stage;
  message.error = error;
  set_text(message, text);
  (void)Channel::send(channel_, message);
  ::_exit(1);
}

void StageRunner::check(const process::ApplyFailure& failure) {
  if (failure.ok()) return;
  ChildMessage message;
  message.event = ChildEvent::kFailed;
  message.stage = ChildStage::kProcess;
  message.error = failure.error;
  message.apply = failure;
  (void)Channel::send(channel_, message);
  ::_exit(1);
}

void StageRunner::send(ChildEvent event, pid_t pid) {
  ChildMessage message;
  message.event = event;
  message.pid = pid;
  std::copy(std::begin(phases_), std::end(phases_), std::begin(message.phases));
  if (Channel::send(channel_, message) != 0) ::_exit(1);
}

void StageRunner::wait_go(std::string* payload) {
  if (Channel::wait_go(channel_, payload) != 0) ::_exit(1);
}

void StageRunner::fork_process() {
  pid_t pid = clone3_fork(CLONE_PARENT);
  if (pid < 0) fail(ChildStage::kFork, errno, "clone3");
  if (pid > 0) {
    send(ChildEvent::kForked, pid);
    ::_exit(0);
  }
  // The parent-death signal is not inherited; launch is our parent now.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

void StageRunner::join_cgroup(const cgroups::Cgroup::Entry* entry) {
  if (entry == nullptr) return;
  size_t failed = 0;
  if (int error = cgroups::Cgroup::join_self(*entry, &failed); error != 0)
    fail(ChildStage::kCgroup, error, entry->paths[failed]);
}

void StageRunner::change_directory(const std::string& cwd) {
  if (::chdir(cwd.c_str()) != 0) fail(ChildStage::kCwd, errno, cwd);
  // A cwd reached through an fd of the host (/proc/self/fd/N) lies outside the new root: the
  // kernel then gives getcwd() no path from "/" (glibc says ENOENT).
  char buf[PATH_MAX];
  if (::getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    fail(ChildStage::kCwd, 0, cwd + ": outside the container's root");
}

void StageRunner::mark_fds_cloexec(int preserve_fds) {
  unsigned int first = 3U + static_cast<unsigned int>(preserve_fds);
  if (::syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) != 0)
    fail(ChildStage::kFds, errno, "close_range");
  for (int fd = 3; fd < static_cast<int>(first); ++fd) {
    if (::fcntl(fd, F_SETFD, 0) != 0)
      fail(ChildStage::kFds, errno, "--preserve-fds: fd " + std::to_string(fd));
  }
}

}  // namespace husk::launch
