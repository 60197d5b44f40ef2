// Reaping and the final shutdown of the tree, shared by the single-command supervisor and the
// service supervisor: every ended process is reaped and handed to a callback; when the work is
// done, SIGTERM (SIGKILL with -t 0) goes to everything left, SIGKILL after the grace period.
#pragma once

#include <sys/types.h>

#include <cerrno>
#include <cstdint>

#include "log.h"
#include "options.h"
#include "wait_any.h"

namespace husk {

class Reaper {
 public:
  using OnExit = void (*)(void* context, pid_t pid, int status);
  Reaper(OnExit on_exit, void* context) : on_exit_(on_exit), context_(context) {}

  // Reaps every process that has ended, calling on_exit for each.
  void reap();
  // The same with a callback the compiler sees, for a hot path: inlined, a reaped process costs
  // the system call and `on_ended` only.
  template <typename OnEnded>
  void reap_with(OnEnded&& on_ended) {
    for (;;) {
      int status = 0;
      long pid = wait_any_nohang(&status);
      if (pid > 0) {
        on_ended(static_cast<pid_t>(pid), status);
        continue;
      }
      if (pid == -EINTR) continue;
      if (pid < 0) children_left_ = false;  // ECHILD
      return;
    }
  }
  // False once husk has no child at all (ECHILD), so no descendant either.
  bool children_left() const { return children_left_; }

 private:
  OnExit on_exit_;
  void* context_;
  bool children_left_ = true;
};

// SIGTERM (SIGKILL with -t 0) to everything left, SIGKILL after the grace period, reaping all,
// until nothing is left. `what_ended` starts the log line ("child gone").
void shut_down_tree(const Options& options, const Log& log, bool pid1, Reaper& reaper,
                    const char* what_ended);

// Milliseconds on the monotonic clock, and the timeout until a deadline (0 when past).
std::int64_t now_ms();
struct timespec until(std::int64_t deadline_ms);

}  // namespace husk
