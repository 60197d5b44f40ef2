#include "state/status.h"

#include <gtest/gtest.h>

namespace husk::launch {
namespace {

TEST(Status, Transitions) {
  using S = ContainerStatus;
  EXPECT_TRUE(allows(S::kCreated, Operation::kStart));
  for (S s : {S::kCreating, S::kRunning, S::kPaused, S::kStopped})
    EXPECT_FALSE(allows(s, Operation::kStart)) << status_name(s);
  EXPECT_FALSE(allows(S::kStopped, Operation::kKill));
  EXPECT_TRUE(allows(S::kPaused, Operation::kKill));
  EXPECT_TRUE(allows(S::kRunning, Operation::kPause));
  EXPECT_FALSE(allows(S::kPaused, Operation::kExec));
  EXPECT_TRUE(allows(S::kPaused, Operation::kResume));
  EXPECT_TRUE(allows(S::kStopped, Operation::kDelete));
  EXPECT_FALSE(allows(S::kRunning, Operation::kDelete));
  EXPECT_TRUE(allows(S::kRunning, Operation::kForceDelete));
  EXPECT_EQ(check_allowed("c1", S::kRunning, Operation::kStart).error().text(),
            "container c1 is running: start needs a created container");
  EXPECT_EQ(check_allowed("c1", S::kPaused, Operation::kExec).error().text(),
            "container c1 is paused: exec needs a created or running container");
}

TEST(Status, Names) {
  for (auto s : {ContainerStatus::kCreating, ContainerStatus::kCreated, ContainerStatus::kRunning,
                 ContainerStatus::kPaused, ContainerStatus::kStopped}) {
    ContainerStatus parsed = ContainerStatus::kCreating;
    ASSERT_TRUE(parse_status(status_name(s), parsed));
    EXPECT_EQ(parsed, s);
  }
  ContainerStatus ignored;
  EXPECT_FALSE(parse_status("exploded", ignored));
}

}  // namespace
}  // namespace husk::launch
