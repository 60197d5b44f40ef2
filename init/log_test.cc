#include "log.h"

#include <fcntl.h>
#include <sys/socket.h>
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

// A pipe nobody reads: husk must not block on it.
class FullPipe : public ::testing::Test {
 protected:
  void SetUp() override {
    int fds[2];
    ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
    read_ = fds[0];
    write_ = fds[1];
    // Filled through a description of its own, so that write_ itself stays blocking.
    std::string path = "/proc/self/fd/" + std::to_string(write_);
    int filler = open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    ASSERT_GE(filler, 0);
    std::string block(4096, 'f');
    while (::write(filler, block.data(), block.size()) > 0) {
    }
    close(filler);
  }
  void TearDown() override {
    close(read_);
    close(write_);
  }
  std::string drain() {
    fcntl(read_, F_SETFL, O_NONBLOCK);
    std::string text;
    char buffer[4096];
    for (ssize_t n; (n = read(read_, buffer, sizeof buffer)) > 0;)
      text.append(buffer, static_cast<size_t>(n));
    return text;
  }
  int read_ = -1;
  int write_ = -1;
};

TEST_F(FullPipe, LinesAreDroppedCountedAndReportedWithoutBlocking) {
  Log log(1, write_);
  Message m;
  m << "storm";
  for (int i = 0; i < 1000; ++i) log.write(Level::kWarning, m);  // would block on the first
  EXPECT_EQ(log.dropped(), 1000u);
  EXPECT_EQ(fcntl(write_, F_GETFL) & O_NONBLOCK, 0) << "the shared description was changed";
  std::string before = drain();
  EXPECT_EQ(before.find("husk:"), std::string::npos);
  m.clear();
  m << "calm";
  log.write(Level::kWarning, m);
  EXPECT_EQ(log.dropped(), 0u);
  EXPECT_EQ(drain(), "husk: 1000 log lines dropped: stderr was full\nhusk: calm\n");
  log.write(Level::kWarning, m);
  EXPECT_EQ(drain(), "husk: calm\n");
}

TEST(Log, ControlCharactersAreEscaped) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  {
    Log log(1, fds[1]);
    Message m;
    m << "unknown option '-\nhusk: forged\x1b'";
    log.write(Level::kError, m);
  }
  close(fds[1]);
  char buffer[256];
  ssize_t n = read(fds[0], buffer, sizeof buffer);
  close(fds[0]);
  EXPECT_EQ(std::string(buffer, n > 0 ? n : 0), "husk: unknown option '-\\x0ahusk: forged\\x1b'\n");
}

TEST(Log, SocketsAreWrittenWithoutWaiting) {
  int fds[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, fds), 0);
  Log log(1, fds[1]);
  Message m;
  m << "line";
  for (int i = 0; i < 100000 && log.dropped() == 0; ++i) log.write(Level::kWarning, m);
  EXPECT_GT(log.dropped(), 0u);
  EXPECT_EQ(fcntl(fds[1], F_GETFL) & O_NONBLOCK, 0);
  close(fds[0]);
  close(fds[1]);
}

TEST(Log, ClosedStderrIsNoError) {
  Log log(1, 1000);  // not open
  Message m;
  m << "nowhere";
  log.write(Level::kError, m);
  EXPECT_EQ(log.dropped(), 1u);
}

}  // namespace
}  // namespace husk
