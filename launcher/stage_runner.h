// stage_runner: the child's side of the set-up protocol, shared by the container's first
// process (spawn.cc) and an exec'd process (spawn_exec.cc). The child never prints: a failure
// is a {stage, errno, text} message (or the process library's ApplyFailure) on the channel,
// then _exit(1); progress is an event (with the phases' timestamps); the parent answers "go".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups.h"
#include "channel.h"
#include "error.h"

namespace husk::launch {

// fork() through clone3, with namespace flags; CLONE_PARENT makes the child our sibling. With a
// cgroup2 directory fd, the child starts in that cgroup (CLONE_INTO_CGROUP).
pid_t clone3_fork(uint64_t flags, int cgroup_fd = -1);

// execve's argv and envp: `args`, and `env` with HOME=`home` added when it sets no HOME (runc
// and crun take it from the image's /etc/passwd). Pointers into this object: keep it in place.
class ExecVectors {
 public:
  ExecVectors(const std::vector<std::string>& args, const std::vector<std::string>& env,
              const std::string& home);
  ExecVectors(const ExecVectors&) = delete;
  ExecVectors& operator=(const ExecVectors&) = delete;
  // Adds NAME=VALUE (kept alive by the caller) to the environment.
  void add_env(char* variable) { envp_.insert(envp_.end() - 1, variable); }
  char* const* argv() const { return argv_.data(); }
  char* const* envp() const { return envp_.data(); }

 private:
  std::string home_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
};

class StageRunner {
 public:
  explicit StageRunner(int channel) : channel_(channel) {}

  [[noreturn]] void fail(ChildStage stage, int error, std::string_view text);
  [[noreturn]] void fail(ChildStage stage, const Error& error) {
    fail(stage, error.errno_value(), error.message());
  }
  void check(ChildStage stage, const Status& status) {
    if (!status.ok()) fail(stage, status.error());
  }
  void check(const process::ApplyFailure& failure);
  void send(ChildEvent event, pid_t pid = 0);
  void wait_go(std::string* payload = nullptr);
  // Forks the process that goes on (CLONE_PARENT: launch's child, with the parent-death signal
  // again); this one sends kForked with its pid and exits.
  void fork_process();

  // Moves this (single-threaded) process into the cgroup through the files the parent opened,
  // before any other set-up step. Nothing to do without an entry (no cgroup to join).
  void join_cgroup(const cgroups::Cgroup::Entry* entry);

  // chdir(cwd), checked to be inside the current root.
  void change_directory(const std::string& cwd);
  // Every fd above 3 + preserve_fds close-on-exec; fds 3 .. 3+N-1 inherited by the exec.
  void mark_fds_cloexec(int preserve_fds);

 protected:
  int channel_ = -1;
  int64_t phases_[kPhaseCount] = {};
};

}  // namespace husk::launch
