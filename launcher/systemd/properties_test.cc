#include "systemd/properties.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace husk::launch::systemd {
namespace {

TEST(Properties, CpuSharesBecomeAWeight) {
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1000000), 10000u);
}

TEST(Properties, ResourcesSystemdOwns) {
  cgroups::Resources resources;
  resources.memory.emplace();
  resources.memory->limit = 64 << 20;
  resources.memory->reservation = -1;
  resources.memory->swappiness = 10;  // not systemd's: the files only
  resources.pids = cgroups::PidsLimit{-1};
  resources.cpu.emplace();
  resources.cpu->shares = 1024;
  resources.cpu->quota = 12345;
  resources.cpu->period = 100000;
  std::vector<Property> expected = {
      {"MemoryMax", uint64_t{64 << 20}},
      {"MemoryLow", kInfinity},
      {"TasksMax", kInfinity},
      {"CPUWeight", uint64_t{39}},
      {"CPUQuotaPeriodUSec", uint64_t{100000}},
      {"CPUQuotaPerSecUSec", uint64_t{130000}},  // 123450 rounded up to whole 10 ms
  };
  EXPECT_EQ(resource_properties(resources), expected);
}

TEST(Properties, QuotaWithoutPeriodUsesTheKernelsDefault) {
  cgroups::Resources resources;
  resources.cpu.emplace();
  resources.cpu->quota = 50000;
  EXPECT_EQ(resource_properties(resources),
            (std::vector<Property>{{"CPUQuotaPerSecUSec", uint64_t{500000}}}));
  resources.cpu->quota = -1;
  EXPECT_EQ(resource_properties(resources),
            (std::vector<Property>{{"CPUQuotaPerSecUSec", kInfinity}}));
}

TEST(Properties, TheScopeHoldsThePidDelegatedInItsSlice) {
  cgroups::Resources resources;
  resources.pids = cgroups::PidsLimit{20};
  auto properties = scope_properties("abc", "machine.slice", 4242, resources);
  auto has = [&](const Property& property) {
    return std::find(properties.begin(), properties.end(), property) != properties.end();
  };
  EXPECT_TRUE(has({"PIDs", std::vector<uint32_t>{4242}}));
  EXPECT_TRUE(has({"Slice", std::string("machine.slice")}));
  EXPECT_TRUE(has({"Delegate", true}));
  EXPECT_TRUE(has({"Description", std::string("husk container abc")}));
  EXPECT_TRUE(has({"TasksMax", uint64_t{20}}));
}

}  // namespace
}  // namespace husk::launch::systemd
