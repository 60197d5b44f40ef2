// End-to-end: the terminal. The child gets its own process group and the foreground of the
// terminal husk's stdin is; Ctrl-C reaches it; `husk -- bash -i` has working job control.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "e2e.h"
#include "pty.h"

namespace husk::test {
namespace {

class Tty : public E2e {
 protected:
  void SetUp() override {
    E2e::SetUp();
    if (IsSkipped()) return;
    if (!pty_.open()) GTEST_SKIP() << "no pseudo-terminal available";
  }

  // husk on the terminal: a new session with the pty as its controlling terminal.
  Husk start_on_tty(std::vector<std::string> args, std::vector<std::string> env = {}) {
    SpawnSpec spec;
    spec.args = std::move(args);
    spec.env = std::move(env);
    spec.stdin_fd = pty_.slave();
    spec.output_fd = pty_.slave();
    spec.before_exec = [] {
      setsid();
      ioctl(0, TIOCSCTTY, 0);
    };
    Husk husk = Husk::start(mode(), spec);
    pty_.close_slave();  // only husk's side holds it now
    return husk;
  }

  bool read_tty(const std::string& needle, int timeout_ms = 5000) {
    return pty_.read(needle, timeout_ms);
  }
  void type(const std::string& keys) { ASSERT_TRUE(pty_.type(keys)); }

  TestPty pty_;
  const std::string& tty_ = pty_.text();
};
HUSK_E2E_MODES(Tty);

TEST_P(Tty, ChildIsTheForegroundProcessGroup) {
  Husk husk = start_on_tty({probe(), "status"});
  ASSERT_TRUE(read_tty("foreground"));
  ASSERT_TRUE(read_tty("\n"));
  EXPECT_EQ(exit_code(husk.wait()), 0);
  long pid = 0, pgrp = 0, foreground = 0;
  std::size_t at = tty_.find("pid ");
  ASSERT_NE(at, std::string::npos) << tty_;
  ASSERT_EQ(
      std::sscanf(tty_.c_str() + at, "pid %ld pgrp %ld foreground %ld", &pid, &pgrp, &foreground),
      3)
      << tty_;
  EXPECT_EQ(pgrp, pid);
  EXPECT_EQ(foreground, pgrp);
}

TEST_P(Tty, CtrlCReachesTheChild) {
  Husk husk = start_on_tty({probe(), "signals", std::to_string(SIGINT)});
  ASSERT_TRUE(read_tty("ready")) << tty_;
  type("\x03");
  EXPECT_TRUE(read_tty("sig 2")) << tty_;
  EXPECT_EQ(exit_code(husk.wait()), 0);
}

TEST_P(Tty, BashHasJobControl) {
  if (access("/bin/bash", X_OK) != 0) GTEST_SKIP() << "bash is not installed";
  Husk husk = start_on_tty({"--", "/bin/bash", "--norc", "--noprofile", "-i"},
                           {"PS1=prompt$ ", "TERM=dumb", "HOME=/"});
  ASSERT_TRUE(read_tty("prompt$ ")) << tty_;
  type("sleep 30\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  type("\x1a");  // Ctrl-Z stops the foreground job
  EXPECT_TRUE(read_tty("Stopped")) << tty_;
  type("kill -9 %1\n");
  type("sleep 30\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  type("\x03");  // Ctrl-C ends the foreground job, not the shell
  type("echo jobs-$((40+2))\n");
  EXPECT_TRUE(read_tty("jobs-42", 5000)) << tty_;
  type("exit 0\n");
  int status = husk.wait();
  EXPECT_TRUE(WIFEXITED(status)) << describe_status(status);
  EXPECT_EQ(tty_.find("no job control"), std::string::npos) << tty_;
}

}  // namespace
}  // namespace husk::test
