#include "child.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "exit_status.h"

namespace husk {
namespace {

// The child's stack, a frame of spawn_child's: execvp's PATH search takes the most (a buffer of
// PATH_MAX plus a name). StackTrim gives its pages back once husk is idle.
constexpr size_t kChildStackSize = size_t{16} * 1024;

struct ChildArgs {
  char* const* argv;
  const SignalState* original;
  const ChildSetup* setup;
  int exec_error = 0;  // set by the child when exec fails, read once it has exited
};

// The child shares husk's memory (CLONE_VM) and husk is suspended until it has exec'd or exited
// (CLONE_VFORK), so nothing else runs in that memory meanwhile; it makes system calls only,
// and writes nothing of husk's but exec_error (and errno).
int run_child(void* raw) {
  ChildArgs& args = *static_cast<ChildArgs*>(raw);
  const ChildSetup& setup = *args.setup;
  setpgid(0, 0);
  // Every signal is still blocked here, SIGTTOU included, so a background husk may hand the
  // terminal to the child. Without a terminal this fails harmlessly.
  if (setup.take_terminal && isatty(STDIN_FILENO)) tcsetpgrp(STDIN_FILENO, getpgrp());
  if (setup.ready_pipe >= 0 || setup.output_pipes[0] >= 0) {
    // Every descriptor to move lifts above every target first, so that none is overwritten
    // before it is moved; dup2 to another number leaves the copy without close-on-exec.
    const int top = setup.ready_fd > STDERR_FILENO ? setup.ready_fd : STDERR_FILENO;
    auto lift = [top](int fd) {
      return fd >= 0 && fd <= top ? fcntl(fd, F_DUPFD_CLOEXEC, top + 1) : fd;
    };
    const int ready = lift(setup.ready_pipe);
    const int out = lift(setup.output_pipes[0]);
    const int err = lift(setup.output_pipes[1]);
    if (ready >= 0) dup2(ready, setup.ready_fd);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    if (err >= 0) dup2(err, STDERR_FILENO);
  }
  restore_signals(*args.original);
  execvp(args.argv[0], args.argv);
  args.exec_error = errno;
  _exit(exit_code_for_exec_errno(args.exec_error));
}

}  // namespace

// vfork semantics: no copy of husk's memory for a process that execs at once, and the exec's
// outcome is known when clone returns.
SpawnResult spawn_child(char* const* argv, const SignalState& original, const ChildSetup& setup) {
  ChildArgs args{argv, &original, &setup};
  alignas(16) char stack[kChildStackSize];
  SpawnResult result;
  result.pid = clone(run_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &args);
  if (result.pid < 0) {
    result.error = errno;
    result.failed_step = "fork";
  } else if (args.exec_error != 0) {
    result.error = args.exec_error;
    result.failed_step = "exec";
  }
  return result;
}

}  // namespace husk
