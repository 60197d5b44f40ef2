#include "channel.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace husk::launch {
namespace {

TEST(Channel, FailureBecomesOneLine) {
  ChildMessage message;
  message.stage = ChildStage::kRootfs;
  message.error = EACCES;
  set_text(message, "mounts[3] /proc: mount proc");
  EXPECT_EQ(describe(message).text(),
            "setting up the rootfs: mounts[3] /proc: mount proc: Permission denied");
}

TEST(Channel, RoundTripAndEndOfFile) {
  auto channel = Channel::create();
  ASSERT_TRUE(channel.ok());
  pid_t pid = ::fork();
  if (pid == 0) {
    channel->parent_end().reset();
    std::string payload;
    if (Channel::wait_go(channel->child_end().get(), &payload) != 0) ::_exit(2);
    ChildMessage message;
    message.event = ChildEvent::kReady;
    message.pid = static_cast<pid_t>(payload.size());
    ::_exit(Channel::send(channel->child_end().get(), message) == 0 ? 0 : 3);
  }
  channel->child_end().reset();
  ASSERT_TRUE(Channel::send_go(channel->parent_end().get(), "hello").ok());
  auto got = Channel::receive(channel->parent_end().get());
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->eof);
  EXPECT_EQ(got->message.event, ChildEvent::kReady);
  EXPECT_EQ(got->message.pid, 5);
  got = Channel::receive(channel->parent_end().get());
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(got->eof);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A SEQPACKET message must fit the send buffer (about 208 KiB): a state text with large
// annotations was refused with "Message too long".
TEST(Channel, APayloadLargerThanTheSocketBuffer) {
  auto channel = Channel::create();
  ASSERT_TRUE(channel.ok());
  std::string big(3 * 1024 * 1024 + 17, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  pid_t pid = ::fork();
  if (pid == 0) {
    channel->parent_end().reset();
    std::string payload;
    if (Channel::wait_go(channel->child_end().get(), &payload) != 0) ::_exit(2);
    if (payload != big) ::_exit(3);
    if (Channel::wait_go(channel->child_end().get(), &payload) != 0) ::_exit(4);
    ::_exit(payload.empty() ? 0 : 5);
  }
  channel->child_end().reset();
  Status sent = Channel::send_go(channel->parent_end().get(), big);
  ASSERT_TRUE(sent.ok()) << sent.error().text();
  ASSERT_TRUE(Channel::send_go(channel->parent_end().get(), "").ok());
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace husk::launch
