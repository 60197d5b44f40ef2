// The processes husk answers for, and signalling them all: as PID 1 every other process of the
// pid namespace (kill(-1)); as a subreaper its descendants only, found by walking /proc, so that
// nothing outside husk's subtree is ever signalled. No allocation: getdents64 into a stack buffer.
#pragma once

#include <sys/types.h>

namespace husk {

// Sends `sig` to every process of the tree. Returns how many were signalled (as PID 1: 1 when
// any was, since kill(-1) does not count), or -1 when /proc cannot be read or belongs to another
// pid namespace.
int signal_tree(bool pid1, int sig);

// The parent pid of `pid` from /proc/PID/stat, or -1.
pid_t read_parent_pid(pid_t pid);

}  // namespace husk
