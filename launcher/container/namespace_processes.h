// namespace_processes: a container's processes when it has no cgroup (rootless, or none could be
// made), found through /proc: those in its init's pid namespace when that namespace is the
// container's own (its init is PID 1 there).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "error.h"
#include "state/process_identity.h"

namespace husk::launch {

// The inode of /proc/PID/ns/pid (PID may be "self"), 0 when it cannot be read.
ino_t pid_namespace(const std::string& pid);

// Every pid /proc lists, sorted.
std::vector<pid_t> all_pids();

// Sends `signal` to every process of the pid namespace whose PID 1 is `init`, the init last.
// Each process is held by a pidfd opened before its namespace is read, so a signal reaches that
// process or none. An error naming container `id` when the init shares its pid namespace with
// other processes (the host's, or another container's): its own cannot be told apart there.
Status signal_namespace_processes(const std::string& id, const ProcessIdentity& init, int signal);

}  // namespace husk::launch
