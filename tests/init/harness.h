// Runs the built husk binary for the end-to-end tests: as PID 1 of a new pid (and mount)
// namespace, or as a plain child of the test (a subreaper then), with its stdout and stderr
// captured. The test process is itself a subreaper, so anything that escapes husk lands here and
// the tests can see it. Tests end only processes they started, by pid.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "read_until.h"
#include "unique_fd.h"

namespace husk::test {

enum class Mode { kPid1, kSubreaper };

std::string mode_name(Mode mode);

// HUSK_BIN and HUSK_PROBE from the environment (set by meson).
std::string husk_bin();
std::string probe_bin();

struct SpawnSpec {
  std::vector<std::string> args;  // after the husk binary
  std::vector<std::string> env;   // KEY=VALUE added to a minimal PATH
  // Runs in the forked child just before exec (signal state, terminal, cwd). Must be
  // async-signal-safe.
  std::function<void()> before_exec;
  int stdin_fd = -1;   // default: /dev/null
  int output_fd = -1;  // when set, stdout and stderr both go here instead of the pipes
  int stderr_fd = -1;  // when set, stderr goes here (err() stays empty)
  int stdout_fd = -1;  // when set, stdout goes here (out() stays empty)
  std::vector<std::string> wrapper;  // a command husk runs under (valgrind), empty for none
};

class Husk {
 public:
  Husk() = default;
  Husk(Husk&&) = default;
  Husk& operator=(Husk&&) = default;
  ~Husk();

  // Starts husk. Fails the test (and returns an invalid Husk) when it cannot.
  static Husk start(Mode mode, SpawnSpec spec);

  pid_t pid() const { return pid_; }  // in the test's pid namespace

  // Reads stdout until it contains `needle` (true) or `timeout_ms` passes (false).
  bool wait_for_output(const std::string& needle, int timeout_ms = 5000);
  // The same for stderr.
  bool wait_for_error(const std::string& needle, int timeout_ms = 5000);
  // Keeps reading stdout and stderr for `ms` milliseconds.
  void read_for(int ms);
  // Waits for husk to exit and returns its wait status, reading its output meanwhile. On timeout
  // it SIGKILLs husk (the process this test started), reaps it and returns -1.
  int wait(int timeout_ms = 10000);
  void signal(int sig) const;

  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  // Lines of stdout that start with `prefix`.
  std::vector<std::string> lines_starting(const std::string& prefix) const;

 private:
  void read_available(int timeout_ms);
  bool wait_for(const std::string& text, const std::string& needle, int timeout_ms);

  pid_t pid_ = -1;
  UniqueFd out_fd_;
  UniqueFd err_fd_;
  std::string out_;
  std::string err_;
};

// A scratch directory for a test, removed at the end.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A pipe whose buffer is full and that nobody reads (a log collector that stopped), filled
// through a description of its own, so that the write end husk gets stays blocking. Both ends
// invalid (and a test failure) when it cannot be made.
struct FullPipe {
  UniqueFd read_end;
  UniqueFd write_end;
};
FullPipe full_pipe();

// Makes the test process a child subreaper (once).
void become_subreaper();

// Children of the test process left behind (processes that escaped husk): SIGKILLs and reaps
// them, returning their pids.
std::vector<pid_t> collect_escaped_children();

// The direct children of `pid`, from /proc/PID/task/*/children.
std::vector<pid_t> children_of(pid_t pid);

// The state letter of `pid` from /proc/PID/stat ('Z' for a zombie), or '\0' when it is gone.
char process_state(pid_t pid);

// The value of `key` ("SigBlk") in /proc/PID/status, or "".
std::string status_field(pid_t pid, const std::string& key);

// Voluntary plus involuntary context switches of `pid`: how often it ran.
long context_switches(pid_t pid);

// Exit status helpers for gtest messages.
std::string describe_status(int status);

// Milliseconds on the monotonic clock.
long long now_ms();

}  // namespace husk::test
