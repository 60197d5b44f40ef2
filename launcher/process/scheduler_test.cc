#include "scheduler.h"

#include <gtest/gtest.h>

#include "io_priority.h"
#include "oom_score_adj.h"
#include "personality.h"

namespace husk::process {
namespace {

TEST(Scheduler, Names) {
  EXPECT_EQ(sched_policy_from_name("SCHED_OTHER"), 0U);
  EXPECT_EQ(sched_policy_from_name("SCHED_FIFO"), 1U);
  EXPECT_EQ(sched_policy_from_name("SCHED_DEADLINE"), 6U);
  EXPECT_EQ(sched_policy_from_name("SCHED_FOO"), std::nullopt);
  EXPECT_EQ(sched_flag_from_name("SCHED_FLAG_RESET_ON_FORK"), 1U);
  EXPECT_EQ(sched_flag_from_name("SCHED_FLAG_UTIL_CLAMP_MAX"), 0x40U);
}

TEST(Scheduler, Values) {
  oci::Scheduler fifo;
  fifo.policy = "SCHED_FIFO";
  fifo.priority = 10;
  fifo.flags = {"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_KEEP_PARAMS"};
  auto attr = prepare_scheduler(fifo);
  ASSERT_TRUE(attr.ok()) << attr.error().text();
  EXPECT_EQ(attr->policy, 1U);
  EXPECT_EQ(attr->priority, 10U);
  EXPECT_EQ(attr->flags, 0x11U);

  oci::Scheduler deadline;
  deadline.policy = "SCHED_DEADLINE";
  deadline.runtime = 1000000;
  deadline.deadline = 2000000;
  auto dl = prepare_scheduler(deadline);
  ASSERT_TRUE(dl.ok()) << dl.error().text();
  EXPECT_EQ(dl->runtime, 1000000U);
  EXPECT_EQ(dl->deadline, 2000000U);
  EXPECT_EQ(dl->period, 0U);

  oci::Scheduler batch;
  batch.policy = "SCHED_BATCH";
  batch.nice = -5;
  EXPECT_EQ(prepare_scheduler(batch)->nice, -5);
}

TEST(Scheduler, Errors) {
  oci::Scheduler s;
  s.policy = "SCHED_ISO";
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler.policy: SCHED_ISO is not in Linux");
  s.policy = "SCHED_RR";
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler.priority: SCHED_RR needs a priority in 1..99, got 0");
  s.policy = "SCHED_OTHER";
  s.priority = 3;
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler.priority: only SCHED_FIFO and SCHED_RR take a "
            "priority");
  s.priority.reset();
  s.nice = 20;
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler.nice: 20 is outside -20..19");
  s.nice.reset();
  s.runtime = 5;
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler: runtime, deadline and period are for "
            "SCHED_DEADLINE only");
  s.policy = "SCHED_DEADLINE";
  s.deadline = 4;
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler: SCHED_DEADLINE needs 0 < runtime <= deadline <= "
            "period (period 0 is the deadline)");
  s.flags = {"SCHED_FLAG_FOO"};
  EXPECT_EQ(prepare_scheduler(s).error().text(),
            ".process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_FOO\"");
}

TEST(IoPriority, Values) {
  EXPECT_EQ(ioprio_class_from_name("IOPRIO_CLASS_RT"), 1);
  EXPECT_EQ(ioprio_class_from_name("IOPRIO_CLASS_IDLE"), 3);
  EXPECT_EQ(prepare_io_priority({"IOPRIO_CLASS_BE", 5}).value(), (2 << 13) | 5);
  EXPECT_EQ(prepare_io_priority({"IOPRIO_CLASS_IDLE", 0}).value(), 3 << 13);
  EXPECT_EQ(prepare_io_priority({"IOPRIO_CLASS_NONE", 0}).error().text(),
            ".process.ioPriority.class: unknown class \"IOPRIO_CLASS_NONE\"");
  EXPECT_EQ(prepare_io_priority({"IOPRIO_CLASS_BE", 8}).error().text(),
            ".process.ioPriority.priority: 8 is outside 0..7");
}

TEST(Personality, Values) {
  EXPECT_EQ(prepare_personality({"LINUX", {}}).value(), 0UL);
  EXPECT_EQ(prepare_personality({"LINUX32", {}}).value(), 8UL);
  EXPECT_EQ(prepare_personality({"LINUX", {"ADDR_NO_RANDOMIZE"}}).value(), 0x0040000UL);
  EXPECT_EQ(prepare_personality({"LINUX64", {}}).error().text(),
            ".linux.personality.domain: unknown domain \"LINUX64\" (LINUX or "
            "LINUX32)");
  EXPECT_EQ(prepare_personality({"LINUX", {"ADDR_NO_RANDOMIZE", "FOO"}}).error().text(),
            ".linux.personality.flags[1]: unknown flag \"FOO\"");
}

TEST(OomScoreAdj, Range) {
  EXPECT_EQ(prepare_oom_score_adj(-1000).value(), -1000);
  EXPECT_EQ(prepare_oom_score_adj(1000).value(), 1000);
  EXPECT_EQ(prepare_oom_score_adj(1001).error().text(),
            ".process.oomScoreAdj: 1001 is outside -1000..1000");
}

}  // namespace
}  // namespace husk::process
