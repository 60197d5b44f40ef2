#include "exit_status.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>

namespace husk {
namespace {

TEST(ExitStatus, EveryExitCodePassesThrough) {
  for (int code = 0; code < 256; ++code) {
    EXPECT_EQ(exit_code_from_wait_status(W_EXITCODE(code, 0)), code);
  }
}

TEST(ExitStatus, EverySignalGives128PlusN) {
  for (int sig = 1; sig <= 64; ++sig) {
    EXPECT_EQ(exit_code_from_wait_status(W_EXITCODE(0, sig)), 128 + sig) << sig;
    EXPECT_EQ(exit_code_from_wait_status(W_EXITCODE(0, sig) | WCOREFLAG), 128 + sig) << sig;
  }
}

// The same with statuses from real processes.
TEST(ExitStatus, RealChildrenExitingWithEveryCode) {
  for (int code = 0; code < 256; ++code) {
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) _exit(code);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(exit_code_from_wait_status(status), code);
  }
}

TEST(ExitStatus, RealChildrenKilledBySignals) {
  for (int sig : {SIGHUP, SIGINT, SIGKILL, SIGSEGV, SIGTERM, SIGUSR1, SIGRTMIN, SIGRTMAX}) {
    // A fresh program (not this one, whose sanitizers may catch SIGSEGV), signalled once its
    // exec has closed the pipe.
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      signal(sig, SIG_DFL);
      execl("/bin/sleep", "sleep", "30", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    char c;
    while (read(fds[0], &c, 1) > 0) {
    }
    close(fds[0]);
    kill(pid, sig);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_EQ(exit_code_from_wait_status(status), 128 + sig) << sig;
  }
}

TEST(ExitStatus, ExecErrnos) {
  EXPECT_EQ(exit_code_for_exec_errno(ENOENT), 127);
  EXPECT_EQ(exit_code_for_exec_errno(ENOTDIR), 127);
  EXPECT_EQ(exit_code_for_exec_errno(EACCES), 126);
  EXPECT_EQ(exit_code_for_exec_errno(EPERM), 126);
  EXPECT_EQ(exit_code_for_exec_errno(EISDIR), 126);
  EXPECT_EQ(exit_code_for_exec_errno(ENOEXEC), 126);
  EXPECT_EQ(exit_code_for_exec_errno(E2BIG), 1);
  EXPECT_EQ(exit_code_for_exec_errno(ENOMEM), 1);
  EXPECT_EQ(exit_code_for_exec_errno(ELOOP), 1);
}

TEST(ExitRemap, OnlyListedCodesBecomeZero) {
  ExitRemap remap;
  for (int code = 0; code < 256; ++code) EXPECT_EQ(remap.apply(code), code);
  remap.add(143);
  remap.add(1);
  remap.add(255);
  for (int code = 0; code < 256; ++code) {
    EXPECT_EQ(remap.apply(code), code == 143 || code == 1 || code == 255 ? 0 : code) << code;
  }
}

}  // namespace
}  // namespace husk
