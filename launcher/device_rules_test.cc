#include "device_rules.h"

#include <gtest/gtest.h>

namespace husk::launch {
namespace {

TEST(DeviceRules, NoRulesStayNone) {
  oci::Config config;
  config.linux_config.emplace();
  EXPECT_TRUE(container_resources(config).devices.empty());
}

TEST(DeviceRules, DenyAllGetsTheDefaultDevicesAndLinuxDevices) {
  oci::Config config;
  config.linux_config.emplace();
  config.linux_config->resources.emplace();
  config.linux_config->resources->devices.push_back({false, std::nullopt, {}, {}, "rwm"});
  config.linux_config->devices.push_back({"b", "/dev/loop9", 7, 9, {}, {}, {}});
  auto devices = container_resources(config).devices;
  ASSERT_EQ(devices.size(), 10u);
  EXPECT_FALSE(devices[0].allow);
  EXPECT_TRUE(devices[1].allow);
  EXPECT_EQ(devices[1].major, 1);
  EXPECT_EQ(devices[1].minor, 3);  // /dev/null
  EXPECT_EQ(devices[8].major, 136);
  EXPECT_FALSE(devices[8].minor.has_value());  // every pts
  EXPECT_EQ(devices[9].type, 'b');
  EXPECT_EQ(devices[9].minor, 9);
}

}  // namespace
}  // namespace husk::launch
