#include "signals.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace husk::launch {
namespace {

int status_of(void (*body)()) {
  pid_t pid = ::fork();
  if (pid == 0) {
    body();
    ::_exit(0);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

TEST(Signals, ExitCode) {
  EXPECT_EQ(exit_code(status_of([] { ::_exit(3); })), 3);
  EXPECT_EQ(exit_code(status_of([] { ::_exit(0); })), 0);
  EXPECT_EQ(exit_code(status_of([] { ::kill(::getpid(), SIGKILL); })), 128 + SIGKILL);
}

TEST(Signals, ForwardsUntilExit) {
  auto blocked = BlockedSignals::block();
  ASSERT_TRUE(blocked.ok()) << blocked.error().text();
  pid_t pid = ::fork();
  if (pid == 0) {
    ::sigprocmask(SIG_SETMASK, &blocked->original(), nullptr);
    ::pause();
    ::_exit(0);
  }
  ::kill(::getpid(), SIGTERM);  // to ourselves: forwarded to the child
  auto code = blocked->forward_until_exit(pid, -1);
  ASSERT_TRUE(code.ok()) << code.error().text();
  EXPECT_EQ(*code, 128 + SIGTERM);
}

}  // namespace
}  // namespace husk::launch
