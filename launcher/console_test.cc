#include "console.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <string>
#include <thread>

#include "console_proxy.h"
#include "signals.h"

namespace husk::launch {
namespace {

struct HostPty {
  UniqueFd master;
  UniqueFd slave;
};

// A pty of the host's /dev/ptmx; nullopt-like (invalid fds) when there is none.
HostPty host_pty() {
  HostPty pty;
  pty.master.reset(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
  if (!pty.master || ::grantpt(pty.master.get()) != 0 || ::unlockpt(pty.master.get()) != 0)
    return {};
  pty.slave.reset(::open(::ptsname(pty.master.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
  return pty;
}

TEST(Console, RawModeIsUndoneOnDestruction) {
  HostPty pty = host_pty();
  if (!pty.slave) GTEST_SKIP() << "no pseudo-terminal available";
  termios before{};
  ASSERT_EQ(::tcgetattr(pty.slave.get(), &before), 0);
  {
    auto raw = RawMode::enter(pty.slave.get());
    ASSERT_TRUE(raw.ok()) << raw.error().text();
    termios during{};
    ASSERT_EQ(::tcgetattr(pty.slave.get(), &during), 0);
    EXPECT_EQ(during.c_lflag & (ECHO | ICANON | ISIG), 0u);
  }
  termios after{};
  ASSERT_EQ(::tcgetattr(pty.slave.get(), &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_iflag, before.c_iflag);
  EXPECT_EQ(after.c_oflag, before.c_oflag);
}

TEST(Console, RawModeOfANonTerminalIsAnError) {
  UniqueFd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  auto raw = RawMode::enter(null.get());
  ASSERT_FALSE(raw.ok());
  EXPECT_EQ(raw.error().text(), "tcgetattr: Inappropriate ioctl for device");
}

TEST(Console, WindowSize) {
  HostPty pty = host_pty();
  if (!pty.slave) GTEST_SKIP() << "no pseudo-terminal available";
  ASSERT_TRUE(set_window_size(pty.master.get(), {33, 101}).ok());
  auto size = window_size(pty.slave.get());
  ASSERT_TRUE(size.ok()) << size.error().text();
  EXPECT_EQ(size->rows, 33);
  EXPECT_EQ(size->cols, 101);
}

TEST(Console, ConsoleSocketWhereNothingListens) {
  auto socket = connect_console_socket("/nonexistent/console.sock");
  ASSERT_FALSE(socket.ok());
  EXPECT_EQ(socket.error().text(),
            "--console-socket /nonexistent/console.sock: No such file or directory");
}

// The process writes more than the pty and the pipe hold, then exits: launch relays all of it.
TEST(Console, RelayDrainsWhatTheProcessWroteBeforeExiting) {
  HostPty pty = host_pty();
  if (!pty.slave) GTEST_SKIP() << "no pseudo-terminal available";
  auto signals = BlockedSignals::block();
  ASSERT_TRUE(signals.ok()) << signals.error().text();
  const std::string line(99, 'x');
  constexpr int kLines = 2000;
  pid_t pid = ::fork();
  if (pid == 0) {
    std::string all;
    for (int i = 0; i < kLines; ++i) all += line + "\n";
    all += "end\n";
    const char* at = all.data();
    size_t left = all.size();
    while (left > 0) {
      ssize_t n = ::write(pty.slave.get(), at, left);
      if (n <= 0) ::_exit(1);
      at += n;
      left -= static_cast<size_t>(n);
    }
    ::_exit(9);
  }
  pty.slave.reset();
  int in[2], out[2];
  ASSERT_EQ(::pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
  ::close(in[1]);  // stdin at end-of-file at once
  std::string relayed;
  std::thread reader([&] {
    char buffer[4096];
    ssize_t n;
    while ((n = ::read(out[0], buffer, sizeof buffer)) > 0)
      relayed.append(buffer, static_cast<size_t>(n));
  });
  auto code = relay_console(pty.master.get(), in[0], out[1], *signals, pid, -1);
  ::close(out[1]);
  reader.join();
  ::close(in[0]);
  ::close(out[0]);
  ASSERT_TRUE(code.ok()) << code.error().text();
  EXPECT_EQ(*code, 9);
  // The pty turns "\n" into "\r\n".
  EXPECT_EQ(relayed.size(), kLines * (line.size() + 2) + 5);
  EXPECT_EQ(relayed.substr(relayed.size() - 5), "end\r\n");
}

}  // namespace
}  // namespace husk::launch
