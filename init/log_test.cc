#include "log.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <climits>
#include <string>

namespace husk {
namespace {

TEST(Message, TextAndNumbers) {
  Message m;
  m << "pid " << 42 << ", " << -7 << ' ' << 0 << ' ' << LLONG_MIN << ' ' << 4294967295U;
  EXPECT_EQ(m.view(), "pid 42, -7 0 -9223372036854775808 4294967295");
  const char* null_text = nullptr;
  m.clear();
  m << null_text;
  EXPECT_EQ(m.view(), "(null)");
}

TEST(Message, CutsOffAtCapacityWithoutOverflow) {
  Message m;
  std::string long_text(1000, 'x');
  m << long_text << "tail" << 12345;
  EXPECT_EQ(m.view(), std::string(480, 'x'));
}

TEST(Log, LevelsFollowVerbosity) {
  EXPECT_TRUE(Log(0).enabled(Level::kError));
  EXPECT_FALSE(Log(0).enabled(Level::kWarning));
  EXPECT_TRUE(Log(1).enabled(Level::kWarning));
  EXPECT_FALSE(Log(1).enabled(Level::kInfo));
  EXPECT_TRUE(Log(3).enabled(Level::kDebug));
}

TEST(WriteAll, WritesEverythingToAPipe) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  std::string text(3000, 'y');
  ASSERT_TRUE(write_all(fds[1], text));
  close(fds[1]);
  std::string got(4000, '\0');
  ssize_t total = 0, n;
  while ((n = read(fds[0], got.data() + total, got.size() - total)) > 0) total += n;
  close(fds[0]);
  EXPECT_EQ(got.substr(0, total), text);
  EXPECT_FALSE(write_all(-1, "x"));
}

}  // namespace
}  // namespace husk
