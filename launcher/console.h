// console: the pseudo-terminal of process.terminal. As runc and crun do, the pty belongs to the
// container's own devpts instance: the child opens /dev/pts/ptmx after pivot_root, binds the
// slave onto /dev/console, makes it its controlling terminal and stdio, and passes the master
// to launch over a socket. launch then relays it (console_proxy.h) or hands it on to the
// process listening on --console-socket (runc's protocol: one message, the master as
// SCM_RIGHTS, the pty's path as data).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "error.h"
#include "unique_fd.h"

namespace husk::launch {

struct Pty {
  UniqueFd master;
  UniqueFd slave;
  std::string path;  // the slave in the container: /dev/pts/N
};

// Opens a pty of the devpts mounted at /dev/pts of the current root and its slave through the
// master (TIOCGPTPEER: no path lookup). Every fd is close-on-exec. For the child: no output.
Result<Pty> open_pty();

// Makes `slave` the calling process's controlling terminal in a new session and dups it onto
// fds 0, 1 and 2.
Status attach_terminal(int slave);

struct WindowSize {
  uint16_t rows = 0;
  uint16_t cols = 0;
};
Result<WindowSize> window_size(int tty_fd);
Status set_window_size(int tty_fd, WindowSize size);

// --console-socket: a connected AF_UNIX stream socket (close-on-exec).
Result<UniqueFd> connect_console_socket(const std::string& path);

// Sends the pty's master over `socket`, with the pty's path as the message's data.
Status send_console(int socket, int master, std::string_view path);

}  // namespace husk::launch
