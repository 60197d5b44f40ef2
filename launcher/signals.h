// signals: launch blocks every signal it can while the container runs, takes them from a
// signalfd, and forwards each one but SIGCHLD to the container's first process (through a
// pidfd, so a recycled pid is never hit). The child restores the original mask before exec.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <optional>

#include "error.h"
#include "unique_fd.h"

namespace husk::launch {

// 128+N for death by signal N, else the exit status (a waitpid status in, a shell's code out).
int exit_code(int wait_status);

// `pid`'s exit_code() once it has exited (reaped), nullopt while it runs.
Result<std::optional<int>> reap_if_exited(pid_t pid);

class BlockedSignals {
 public:
  // Blocks every signal but the synchronous ones (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
  // SIGSYS) and opens a signalfd for them.
  static Result<BlockedSignals> block();

  BlockedSignals(BlockedSignals&& other) noexcept
      : original_(other.original_), fd_(std::move(other.fd_)), active_(other.active_) {
    other.active_ = false;
  }
  BlockedSignals& operator=(BlockedSignals&&) = delete;
  ~BlockedSignals();  // restores the original mask

  const sigset_t& original() const { return original_; }

  // Forwards signals to `pid` (through `pidfd`) until it exits; returns its exit_code().
  // Other children that exit meanwhile are left alone.
  Result<int> forward_until_exit(pid_t pid, int pidfd);

  // The pieces of that loop, for a loop that serves more fds (the console proxy):
  int fd() const { return fd_.get(); }  // readable when a signal is pending
  int take();                           // the next pending signal; 0 when none
  static void forward(int sig, pid_t pid, int pidfd);

 private:
  BlockedSignals() = default;
  sigset_t original_{};
  UniqueFd fd_;
  bool active_ = false;
};

}  // namespace husk::launch
