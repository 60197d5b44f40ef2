// The supervisor loop: takes every signal synchronously, forwards it to the main child, reaps
// every process that ends under husk, and when the main child is gone shuts the remaining tree
// down. It sleeps in rt_sigtimedwait and only sets a timeout while a deadline runs.
#pragma once

#include <sys/types.h>

#include "log.h"
#include "options.h"

namespace husk {

// Supervises `child` (0 in pause mode) until it has exited and the tree is empty. Returns husk's
// exit code. `pid1` tells whether husk is PID 1 of its namespace.
int supervise(const Options& options, const Log& log, pid_t child, bool pid1);

}  // namespace husk
