// process_identity: a process named so that a recycled pid is never taken for it: its pid and
// its start time (field 22 of /proc/PID/stat, in clock ticks since boot). A later command opens
// a pidfd for the pid, then checks the start time: the pidfd then holds that very process, and
// signals sent through it can reach no other.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "error.h"
#include "unique_fd.h"

namespace husk::launch {

struct ProcessStat {
  char state = '?';  // R, S, D, Z, ...
  uint64_t start_time = 0;
};

// Parses the text of /proc/PID/stat (the command name may hold spaces and parentheses).
Result<ProcessStat> parse_process_stat(std::string_view text);

// /proc/PID/stat of a live process; ENOENT once it has been reaped.
Result<ProcessStat> read_process_stat(pid_t pid);

struct ProcessIdentity {
  pid_t pid = 0;
  uint64_t start_time = 0;
};

// The identity of a running pid (read from /proc).
Result<ProcessIdentity> identify(pid_t pid);

// A pidfd for `who` when that process still runs (not a zombie): nullopt-like invalid fd when
// it has exited or its pid now belongs to another process.
Result<UniqueFd> open_if_alive(const ProcessIdentity& who);

// Whether `who` still runs.
bool alive(const ProcessIdentity& who);

// Waits until the process behind `pidfd` has exited, at most `timeout_ms`. Returns whether it did.
bool wait_exit(int pidfd, int timeout_ms);

}  // namespace husk::launch
