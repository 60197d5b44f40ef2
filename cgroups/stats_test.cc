#include "stats.h"
#include "text.h"

#include <gtest/gtest.h>

namespace husk::cgroups {
namespace {

TEST(StatsTest, FlatKeyed) {
  EXPECT_EQ(parse_flat_keyed("oom_kill_disable 0\nunder_oom 1\noom_kill 4\n"),
            (std::map<std::string, uint64_t>{
                {"oom_kill_disable", 0}, {"under_oom", 1}, {"oom_kill", 4}}));
  EXPECT_TRUE(parse_flat_keyed("").empty());
}

TEST(StatsTest, Limit) {
  EXPECT_EQ(parse_limit("1048576\n"), 1048576u);
  EXPECT_FALSE(parse_limit("max\n"));
  EXPECT_FALSE(parse_limit("9223372036854771712\n"));  // v1's "unlimited"
  EXPECT_FALSE(parse_limit(""));
}

TEST(StatsTest, IoStat) {
  const auto devices = parse_io_stat(
      "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
      "253:1 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
  ASSERT_EQ(devices.size(), 2u);
  EXPECT_EQ(devices[0].major, 8u);
  EXPECT_EQ(devices[0].read_bytes, 4096u);
  EXPECT_EQ(devices[0].write_bytes, 8192u);
  EXPECT_EQ(devices[0].write_ios, 2u);
  EXPECT_EQ(devices[1].major, 253u);
  EXPECT_EQ(devices[1].minor, 1u);
}

TEST(StatsTest, Blkio) {
  const auto devices = parse_blkio("8:0 Read 4096\n8:0 Write 512\n8:0 Total 4608\nTotal 4608\n",
                                   "8:0 Read 2\n8:0 Write 1\n8:0 Total 3\nTotal 3\n");
  ASSERT_EQ(devices.size(), 1u);
  EXPECT_EQ(devices[0].read_bytes, 4096u);
  EXPECT_EQ(devices[0].write_bytes, 512u);
  EXPECT_EQ(devices[0].read_ios, 2u);
  EXPECT_EQ(devices[0].write_ios, 1u);
}

TEST(Text, WordsAndLines) {
  using Views = std::vector<std::string_view>;
  EXPECT_EQ(split_words("  cpu\tio  memory\n\npids\n"), (Views{"cpu", "io", "memory", "pids"}));
  EXPECT_EQ(split_words(" \n\t "), Views{});
  EXPECT_EQ(split_lines("8:0 rbytes=1\n\n8:16 wbytes=2"),
            (Views{"8:0 rbytes=1", "", "8:16 wbytes=2"}));
  EXPECT_EQ(split_lines("one\n"), Views{"one"});
  EXPECT_EQ(split_lines(""), Views{});
}

}  // namespace
}  // namespace husk::cgroups
