#include "supervisor.h"

#include <sys/wait.h>
#include <time.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>

#include "exit_status.h"
#include "shutdown.h"
#include "signal_state.h"
#include "stack_trim.h"
#include "tree.h"

namespace husk {
namespace {

// At most one line per this many milliseconds about failed forwards.
constexpr std::int64_t kForwardErrorIntervalMs = 1000;

class Supervisor {
 public:
  Supervisor(const Options& options, const Log& log, pid_t child, bool pid1)
      : options_(options),
        log_(log),
        child_(child),
        pid1_(pid1),
        log_orphans_(log.enabled(options.warn_on_reap ? Level::kWarning : Level::kDebug)),
        reaper_(&Supervisor::on_exit, this) {}

  int run() {
    if (options_.pause) {
      wait_for_stop();
    } else {
      wait_for_child();
    }
    if (options_.shutdown_tree && reaper_.children_left()) {
      shut_down_tree(options_, log_, pid1_, reaper_, "child gone");
    }
    if (options_.pause) return 0;
    return options_.exit_remap.apply(exit_code_from_wait_status(child_status_));
  }

 private:
  // The main loop while the child runs, until it has been reaped.
  void wait_for_child() {
    const KernelSigset all = KernelSigset::all();
    std::int64_t kill_deadline = -1;
    while (child_running_) {
      timespec timeout{};
      if (kill_deadline >= 0) {
        timeout = until(kill_deadline);
      } else {
        stack_trim_.when_idle(now_ms());
      }
      siginfo_t info{};
      int sig = wait_for_signal(all, &info, kill_deadline >= 0 ? &timeout : nullptr);
      if (sig < 0) {
        if (errno == EAGAIN && kill_deadline >= 0) {
          HUSK_LOG(log_, kWarning,
                   "child still running " << options_.kill_after_ms
                                          << " ms after the stop signal: SIGKILL");
          signal_tree(pid1_, SIGKILL);
          kill_deadline = -1;
        }
        continue;
      }
      if (sig == SIGCHLD) {
        reap();
        continue;
      }
      forward(sig, info);
      if ((sig == SIGTERM || sig == SIGINT) && options_.kill_after_ms >= 0 && kill_deadline < 0) {
        kill_deadline = now_ms() + options_.kill_after_ms;
      }
    }
    if (forward_errors_hidden_ > 0) {
      HUSK_LOG(log_, kWarning,
               "forwarding failed " << forward_errors_hidden_ << " more times, not shown");
    }
  }

  // Pause mode: reap until SIGTERM or SIGINT.
  void wait_for_stop() {
    const KernelSigset all = KernelSigset::all();
    for (;;) {
      siginfo_t info{};
      stack_trim_.when_idle(now_ms());
      int sig = wait_for_signal(all, &info, nullptr);
      if (sig == SIGCHLD) {
        reap();
      } else if (sig == SIGTERM || sig == SIGINT) {
        HUSK_LOG(log_, kInfo, "pause mode: stopping on signal " << sig);
        reap();
        return;
      } else if (sig > 0) {
        HUSK_LOG(log_, kDebug, "pause mode: ignoring signal " << sig);
      }
    }
  }

  void forward(int received, const siginfo_t& info) {
    int sig = options_.rewrite.map(received);
    if (sig == 0) {
      HUSK_LOG(log_, kDebug, "dropping signal " << received);
      return;
    }
    pid_t target = options_.process_group ? -child_ : child_;
    int rc;
    if (info.si_code == SI_QUEUE && !options_.process_group) {
      rc = sigqueue(child_, sig, info.si_value);  // keeps the value of a queued signal
    } else {
      rc = kill(target, sig);
    }
    if (rc != 0 && errno != ESRCH) {
      forward_failed(sig, target, errno);
    } else {
      HUSK_LOG(log_, kDebug, "forwarded signal " << received << " as " << sig << " to " << target);
    }
  }

  // One line per second at most (a storm of failures, e.g. EAGAIN from a full real-time queue,
  // must not become a storm of lines); the next line counts the ones not shown.
  void forward_failed(int sig, pid_t target, int error) {
    std::int64_t now = now_ms();
    if (forward_error_ms_ >= 0 && now - forward_error_ms_ < kForwardErrorIntervalMs) {
      ++forward_errors_hidden_;
      return;
    }
    forward_error_ms_ = now;
    HUSK_LOG(log_, kWarning,
             "forwarding signal " << sig << " to " << target << " failed: " << std::strerror(error)
                                  << hidden_failures().view());
    forward_errors_hidden_ = 0;
  }
  Message hidden_failures() const {
    Message text;
    if (forward_errors_hidden_ > 0) {
      text << " (and " << forward_errors_hidden_ << " more failures not shown)";
    }
    return text;
  }

  // The hot path of reaping: per process the wait and, unless its line is wanted, one test.
  void reap() {
    reaper_.reap_with([this](pid_t pid, int status) {
      if (pid != child_ && !log_orphans_) return;  // an orphan, and no line wanted
      on_exit(this, pid, status);
    });
  }

  // One reaped process: the child, or an orphan (a line for it only when wanted: -w, -vv).
  static void on_exit(void* context, pid_t pid, int status) {
    auto& self = *static_cast<Supervisor*>(context);
    if (pid == self.child_ && self.child_running_) {
      self.child_running_ = false;
      self.child_status_ = status;
      HUSK_LOG(self.log_, kInfo,
               "child " << pid << " exited with code " << exit_code_from_wait_status(status));
    } else if (self.log_orphans_) {
      if (self.options_.warn_on_reap) {
        HUSK_LOG(self.log_, kWarning, "reaped orphan " << pid);
      } else {
        HUSK_LOG(self.log_, kDebug, "reaped orphan " << pid);
      }
    }
  }

  const Options& options_;
  const Log& log_;
  const pid_t child_;
  const bool pid1_;
  const bool log_orphans_;  // a line per reaped orphan: -w, or -vv
  Reaper reaper_;
  bool child_running_ = true;
  int child_status_ = 0;
  std::int64_t forward_error_ms_ = -1;  // when the last forwarding failure was logged
  long forward_errors_hidden_ = 0;      // failures since then, not logged
  StackTrim stack_trim_;
};

}  // namespace

int supervise(const Options& options, const Log& log, pid_t child, bool pid1) {
  return Supervisor(options, log, child, pid1).run();
}

}  // namespace husk
