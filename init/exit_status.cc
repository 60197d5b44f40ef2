#include "exit_status.h"

#include <sys/wait.h>

#include <cerrno>

namespace husk {

int exit_code_from_wait_status(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return kExitExecFailed;  // stopped or continued: not a final status
}

int exit_code_for_exec_errno(int errno_value) {
  switch (errno_value) {
    case ENOENT:
    case ENOTDIR:
      return kExitNotFound;
    case EACCES:
    case EPERM:
    case EISDIR:
    case ENOEXEC:
      return kExitNotExecutable;
    default:
      return kExitExecFailed;
  }
}

}  // namespace husk
