#include "console.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "fd_passing.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

namespace husk::launch {

Result<Pty> open_pty() {
  Pty pty;
  pty.master.reset(::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master) return Error::from_errno("/dev/pts/ptmx");
  int unlock = 0;
  if (::ioctl(pty.master.get(), TIOCSPTLCK, &unlock) != 0) return Error::from_errno("unlockpt");
  unsigned int number = 0;
  if (::ioctl(pty.master.get(), TIOCGPTN, &number) != 0) return Error::from_errno("ptsname");
  pty.path = "/dev/pts/" + std::to_string(number);
  pty.slave.reset(::ioctl(pty.master.get(), TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.slave) return Error::from_errno("opening " + pty.path);
  return pty;
}

Status attach_terminal(int slave) {
  if (::setsid() < 0) return Error::from_errno("setsid");
  if (::ioctl(slave, TIOCSCTTY, 0) != 0) return Error::from_errno("TIOCSCTTY");
  for (int fd = 0; fd <= 2; ++fd) {
    if (::dup2(slave, fd) < 0) return Error::from_errno("dup2 onto fd " + std::to_string(fd));
  }
  return {};
}

Result<WindowSize> window_size(int tty_fd) {
  winsize ws{};
  if (::ioctl(tty_fd, TIOCGWINSZ, &ws) != 0) return Error::from_errno("TIOCGWINSZ");
  return WindowSize{ws.ws_row, ws.ws_col};
}

Status set_window_size(int tty_fd, WindowSize size) {
  winsize ws{};
  ws.ws_row = size.rows;
  ws.ws_col = size.cols;
  if (::ioctl(tty_fd, TIOCSWINSZ, &ws) != 0) return Error::from_errno("TIOCSWINSZ");
  return {};
}

Result<UniqueFd> connect_console_socket(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof address.sun_path)
    return Error("--console-socket " + path + ": not a usable socket path", ENAMETOOLONG);
  std::memcpy(address.sun_path, path.data(), path.size());
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno("--console-socket: socket");
  int rc;
  do {
    rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) return Error::from_errno("--console-socket " + path);
  return fd;
}

Status send_console(int socket, int master, std::string_view path) {
  if (int error = process::send_fd_with_data(socket, master, path); error != 0)
    return Error("--console-socket: sending the terminal", error);
  return {};
}

}  // namespace husk::launch
