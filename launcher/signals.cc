#include "signals.h"

#include <poll.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace husk::launch {

int exit_code(int wait_status) {
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 1;
}

Result<BlockedSignals> BlockedSignals::block() {
  BlockedSignals blocked;
  sigset_t all;
  ::sigfillset(&all);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS}) ::sigdelset(&all, sig);
  if (::sigprocmask(SIG_BLOCK, &all, &blocked.original_) != 0)
    return Error::from_errno("sigprocmask");
  blocked.active_ = true;
  blocked.fd_.reset(::signalfd(-1, &all, SFD_CLOEXEC));
  if (!blocked.fd_) return Error::from_errno("signalfd");
  return blocked;
}

BlockedSignals::~BlockedSignals() {
  if (active_) ::sigprocmask(SIG_SETMASK, &original_, nullptr);
}

Result<std::optional<int>> reap_if_exited(pid_t pid) {
  int status = 0;
  pid_t done = ::waitpid(pid, &status, WNOHANG);
  if (done == pid) return std::optional<int>(exit_code(status));
  if (done < 0 && errno != EINTR) return Error::from_errno("waiting for the container");
  return std::optional<int>();
}

int BlockedSignals::take() {
  signalfd_siginfo info{};
  ssize_t n = ::read(fd_.get(), &info, sizeof info);
  return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

void BlockedSignals::forward(int sig, pid_t pid, int pidfd) {
  if (pidfd >= 0) {
    ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0);
  } else {
    ::kill(pid, sig);
  }
}

Result<int> BlockedSignals::forward_until_exit(pid_t pid, int pidfd) {
  for (;;) {
    auto exited = reap_if_exited(pid);
    if (!exited.ok()) return std::move(exited).error();
    if (*exited) return **exited;
    pollfd fds[2] = {{fd_.get(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    if (::poll(fds, pidfd >= 0 ? 2 : 1, -1) < 0 && errno != EINTR) return Error::from_errno("poll");
    if (!(fds[0].revents & POLLIN)) continue;  // the pidfd: the process exited
    int sig = take();
    if (sig != 0 && sig != SIGCHLD) forward(sig, pid, pidfd);
  }
}

}  // namespace husk::launch
