#include "child.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "exit_status.h"
#include "unique_fd.h"

namespace husk {
namespace {

[[noreturn]] void run_child(char* const* argv, const SignalState& original, int error_fd,
                            const ChildSetup& setup) {
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
    error_fd = lift(error_fd);
    const int ready = lift(setup.ready_pipe);
    const int out = lift(setup.output_pipes[0]);
    const int err = lift(setup.output_pipes[1]);
    if (ready >= 0) dup2(ready, setup.ready_fd);
    if (out >= 0) dup2(out, STDOUT_FILENO);
    if (err >= 0) dup2(err, STDERR_FILENO);
  }
  restore_signals(original);
  execvp(argv[0], argv);
  int error = errno;
  while (write(error_fd, &error, sizeof error) < 0 && errno == EINTR) {
  }
  _exit(exit_code_for_exec_errno(error));
}

}  // namespace

SpawnResult spawn_child(char* const* argv, const SignalState& original, const ChildSetup& setup) {
  SpawnResult result;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    result.error = errno;
    result.failed_step = "pipe";
    return result;
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);

  result.pid = fork();
  if (result.pid < 0) {
    result.error = errno;
    result.failed_step = "fork";
    return result;
  }
  if (result.pid == 0) run_child(argv, original, write_end.get(), setup);

  write_end.reset();
  int error = 0;
  ssize_t n;
  do {
    n = read(read_end.get(), &error, sizeof error);
  } while (n < 0 && errno == EINTR);
  if (n == static_cast<ssize_t>(sizeof error)) {
    result.error = error;
    result.failed_step = "exec";
  }
  return result;
}

}  // namespace husk
