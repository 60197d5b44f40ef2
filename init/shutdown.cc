#include "shutdown.h"

#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

#include "signal_state.h"
#include "tree.h"

namespace husk {
namespace {

// How often the SIGKILL of a subreaper's tree is repeated, for processes forked meanwhile.
constexpr int kKillRepeatMs = 100;

}  // namespace

std::int64_t now_ms() {
  timespec ts{};
  // The system call, not the vDSO: husk reads the clock seldom, and the vDSO's page would add
  // to its resident set.
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

timespec until(std::int64_t deadline_ms) {
  std::int64_t left = deadline_ms - now_ms();
  if (left < 0) left = 0;
  return {static_cast<time_t>(left / 1000), static_cast<long>(left % 1000) * 1000000};
}

void Reaper::reap() {
  reap_with([this](pid_t pid, int status) { on_exit_(context_, pid, status); });
}

void shut_down_tree(const Options& options, const Log& log, bool pid1, Reaper& reaper,
                    const char* what_ended) {
  const bool graceful = options.grace_ms > 0;
  int sent = signal_tree(pid1, graceful ? SIGTERM : SIGKILL);
  if (sent < 0) {  // husk cannot tell its descendants from anything else
    HUSK_LOG(log, kWarning,
             "no /proc of husk's pid namespace: leaving the remaining processes alone");
    return;
  }
  if (graceful) signal_tree(pid1, SIGCONT);  // a stopped process must run to take SIGTERM
  HUSK_LOG(log, kInfo,
           what_ended << ": sent " << (graceful ? "SIGTERM" : "SIGKILL") << " to "
                      << (pid1 ? "all processes" : "descendants") << " (" << sent << ")");
  KernelSigset chld;
  chld.add(SIGCHLD);
  std::int64_t deadline = graceful ? now_ms() + options.grace_ms : -1;
  reaper.reap();
  while (reaper.children_left()) {
    timespec timeout{};
    const timespec* wait = nullptr;
    if (deadline >= 0) {
      timeout = until(deadline);
      wait = &timeout;
    } else if (!pid1) {
      timeout = {0, kKillRepeatMs * 1000000L};
      wait = &timeout;
    }
    siginfo_t info{};
    int sig = wait_for_signal(chld, &info, wait);
    if (sig == SIGCHLD) {
      reaper.reap();
    } else if (sig < 0 && errno == EAGAIN) {
      if (deadline >= 0) {
        HUSK_LOG(log, kWarning,
                 "grace period of " << options.grace_ms << " ms over: SIGKILL to what is left");
      }
      deadline = -1;
      signal_tree(pid1, SIGKILL);
    }
  }
}

}  // namespace husk
