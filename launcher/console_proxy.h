// console_proxy: `launch` in the foreground with process.terminal and no --console-socket.
// launch's stdin goes to the pty's master and the master's output to launch's stdout, in one
// poll loop with the signalfd and the container's pidfd: signals are forwarded as without a
// terminal, except SIGWINCH, which copies launch's terminal size onto the pty (the kernel then
// tells the container's foreground job). End-of-file on stdin stops the copy that way only (as
// runc: the container is not told). When the container has exited, what it wrote that launch
// has not relayed yet is drained, then its exit code is returned.
#pragma once

#include <termios.h>

#include "error.h"
#include "signals.h"

namespace husk::launch {

// A terminal in raw mode (no echo, no line editing, keys such as Ctrl-C passed on as bytes)
// while this lives; its previous mode is restored on destruction.
class RawMode {
 public:
  static Result<RawMode> enter(int fd);
  RawMode(RawMode&& other) noexcept : fd_(other.fd_), saved_(other.saved_) { other.fd_ = -1; }
  RawMode& operator=(RawMode&&) = delete;
  ~RawMode();

 private:
  RawMode(int fd, const termios& saved) : fd_(fd), saved_(saved) {}
  int fd_ = -1;
  termios saved_{};
};

// Relays between `in`/`out` and `master` and forwards signals until `pid` exits; returns its
// exit_code(). `in` and `out` stay blocking (they are shared with launch's caller); `master`
// is made non-blocking.
Result<int> relay_console(int master, int in, int out, BlockedSignals& signals, pid_t pid,
                          int pidfd);

}  // namespace husk::launch
