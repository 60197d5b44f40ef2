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
  if (setup.ready_pipe >= 0) {
    if (error_fd == setup.ready_fd) error_fd = fcntl(error_fd, F_DUPFD_CLOEXEC, setup.ready_fd + 1);
    if (setup.ready_pipe == setup.ready_fd) {
      fcntl(setup.ready_fd, F_SETFD, 0);
    } else {
      dup2(setup.ready_pipe, setup.ready_fd);  // the copy is not close-on-exec
    }
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
