#include "rlimits.h"

#include <gtest/gtest.h>

namespace husk::process {
namespace {

TEST(Rlimits, NamesBecomeResources) {
  auto prepared = prepare_rlimits(
      {{"RLIMIT_NOFILE", 1024, 4096}, {"RLIMIT_CORE", 0, 0}, {"RLIMIT_RTTIME", 5, 10}});
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();
  ASSERT_EQ(prepared->size(), 3U);
  EXPECT_EQ((*prepared)[0].resource, RLIMIT_NOFILE);
  EXPECT_EQ((*prepared)[0].soft, 1024U);
  EXPECT_EQ((*prepared)[0].hard, 4096U);
  EXPECT_EQ((*prepared)[0].name, "RLIMIT_NOFILE");
  EXPECT_EQ((*prepared)[1].resource, RLIMIT_CORE);
  EXPECT_EQ((*prepared)[2].resource, RLIMIT_RTTIME);
}

TEST(Rlimits, Errors) {
  EXPECT_EQ(prepare_rlimits({{"RLIMIT_CORE", 0, 0}, {"RLIMIT_FOO", 1, 1}}).error().text(),
            ".process.rlimits[1].type: unknown resource \"RLIMIT_FOO\"");
  EXPECT_EQ(prepare_rlimits({{"RLIMIT_CORE", 0, 0}, {"RLIMIT_CORE", 1, 1}}).error().text(),
            ".process.rlimits[1].type: RLIMIT_CORE appears twice");
  EXPECT_EQ(prepare_rlimits({{"RLIMIT_NOFILE", 2048, 1024}}).error().text(),
            ".process.rlimits[0]: soft limit 2048 is above the hard limit 1024");
}

}  // namespace
}  // namespace husk::process
