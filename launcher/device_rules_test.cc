#include "device_rules.h"

#include <gtest/gtest.h>

#include "plan.h"

namespace husk::launch {
namespace {

oci::Config deny_all_with(std::vector<oci::Device> devices) {
  oci::Config config;
  config.linux_config.emplace();
  config.linux_config->resources.emplace();
  config.linux_config->resources->devices.push_back({false, std::nullopt, {}, {}, "rwm"});
  config.linux_config->devices = std::move(devices);
  return config;
}

std::string text(const cgroups::DeviceRule& r) {
  return (r.allow ? "allow " : "deny ") + cgroups::device_rule_text(r);
}

std::vector<std::string> texts(const std::vector<cgroups::DeviceRule>& rules) {
  std::vector<std::string> out;
  for (const auto& r : rules) out.push_back(text(r));
  return out;
}

// No rules in the config: runc's defaults alone, behind the filter's default deny (not "no
// filter", which would let the container open any device node it has or makes).
TEST(DeviceRules, NoRulesMeanRuncsDefaultsOnly) {
  oci::Config config;
  config.linux_config.emplace();
  config.linux_config->devices.push_back({"b", "/dev/loop9", 7, 9, {}, {}, {}});
  EXPECT_EQ(texts(container_resources(config).devices),
            (std::vector<std::string>{"allow c *:* m", "allow b *:* m", "allow c 1:3 rwm",
                                      "allow c 1:8 rwm", "allow c 1:7 rwm", "allow c 5:0 rwm",
                                      "allow c 1:5 rwm", "allow c 1:9 rwm", "allow c 136:* rwm",
                                      "allow c 5:2 rwm"}));
  EXPECT_TRUE(container_resources(config, /*root=*/false).devices.empty());
}

TEST(DeviceRules, TheConfigsRulesThenRuncsDefaults) {
  auto devices = container_resources(deny_all_with({})).devices;
  EXPECT_EQ(texts(devices),
            (std::vector<std::string>{"deny a *:* rwm", "allow c *:* m", "allow b *:* m",
                                      "allow c 1:3 rwm", "allow c 1:8 rwm", "allow c 1:7 rwm",
                                      "allow c 5:0 rwm", "allow c 1:5 rwm", "allow c 1:9 rwm",
                                      "allow c 136:* rwm", "allow c 5:2 rwm"}));
}

// A linux.devices entry creates the node only: the config's rules decide its access.
TEST(DeviceRules, LinuxDevicesGetNoRuleOfTheirOwn) {
  auto devices =
      container_resources(deny_all_with({{"b", "/dev/vda", 254, 0, {}, {}, {}}})).devices;
  ASSERT_EQ(devices.size(), 11u);
  for (const auto& rule : devices) EXPECT_NE(rule.major, 254) << text(rule);
}

// As in runc: a linux.devices entry at a default node's path replaces that default's rule.
TEST(DeviceRules, ALinuxDeviceAtADefaultPathDropsThatDefault) {
  auto devices = container_resources(deny_all_with({{"c", "/dev/null", 1, 3, {}, {}, {}}})).devices;
  auto rules = texts(devices);
  EXPECT_EQ(rules.size(), 10u);
  EXPECT_EQ(std::count(rules.begin(), rules.end(), "allow c 1:3 rwm"), 0);
  EXPECT_EQ(std::count(rules.begin(), rules.end(), "allow c 1:5 rwm"), 1);
}

}  // namespace
}  // namespace husk::launch
