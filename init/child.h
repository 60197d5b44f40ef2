// Starting the main child: its own process group (the terminal's foreground when stdin is one),
// husk's start signal state, the caller's cwd, and no fd of husk's. The child never prints: an
// exec failure's errno reaches husk in the memory the two share until the exec.
#pragma once

#include <sys/types.h>

#include "signal_state.h"

namespace husk {

struct SpawnResult {
  pid_t pid = -1;                     // the child; -1 when fork failed
  int error = 0;                      // errno of the failed fork or exec; 0 when the command runs
  const char* failed_step = nullptr;  // "fork" or "exec" when error != 0
};

// What differs for a supervised service: it never takes the terminal, may get the write end
// of a readiness pipe as descriptor `ready_fd`, and with log-prefix the write ends of husk's
// output pipes as its stdout and stderr.
struct ChildSetup {
  bool take_terminal = true;
  int ready_pipe = -1;  // close-on-exec in husk; becomes `ready_fd` in the child
  int ready_fd = -1;
  int output_pipes[2] = {-1, -1};  // close-on-exec in husk; become descriptors 1 and 2
};

// Starts `argv` (PATH is searched) as vfork does. When exec fails, the child has exited with the
// code of exit_code_for_exec_errno() and still needs reaping.
SpawnResult spawn_child(char* const* argv, const SignalState& original,
                        const ChildSetup& setup = {});

}  // namespace husk
