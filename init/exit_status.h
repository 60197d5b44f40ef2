// Exit status: what husk exits with for a given wait status of the main child, and the -e table
// of exit codes remapped to 0.
#pragma once

#include <array>

namespace husk {

// Exit codes husk reports for itself.
inline constexpr int kExitUsage = 1;            // bad arguments, or no command
inline constexpr int kExitExecFailed = 1;       // exec failed for another reason
inline constexpr int kExitNotExecutable = 126;  // found, but not executable (or a directory)
inline constexpr int kExitNotFound = 127;       // command not found

// The child's exit code when it exited; 128+N when it died of signal N.
int exit_code_from_wait_status(int wait_status);

// Exit codes that -e remaps to 0.
class ExitRemap {
 public:
  void add(int code) { zero_[static_cast<unsigned>(code) & 255] = true; }
  int apply(int code) const { return code >= 0 && code < 256 && zero_[code] ? 0 : code; }

 private:
  std::array<bool, 256> zero_{};
};

// The exit code for an exec that failed with `errno_value`: 127, 126 or 1.
int exit_code_for_exec_errno(int errno_value);

}  // namespace husk
