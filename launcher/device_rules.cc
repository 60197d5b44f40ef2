#include "device_rules.h"

#include <algorithm>
#include <string_view>

namespace husk::launch {
namespace {

struct DefaultRule {
  std::string_view path;  // the node the rootfs creates; empty for a rule without one
  char type;
  std::optional<int64_t> major;  // unset: every major
  std::optional<int64_t> minor;  // unset: every minor
  std::string_view access;
};

constexpr DefaultRule kDefaultRules[] = {
    {"", 'c', std::nullopt, std::nullopt, "m"},  // mknod of any char device
    {"", 'b', std::nullopt, std::nullopt, "m"},  // and of any block device
    {"/dev/null", 'c', 1, 3, "rwm"},
    {"/dev/random", 'c', 1, 8, "rwm"},
    {"/dev/full", 'c', 1, 7, "rwm"},
    {"/dev/tty", 'c', 5, 0, "rwm"},
    {"/dev/zero", 'c', 1, 5, "rwm"},
    {"/dev/urandom", 'c', 1, 9, "rwm"},
    {"", 'c', 136, std::nullopt, "rwm"},  // /dev/pts/*
    {"", 'c', 5, 2, "rwm"},               // /dev/ptmx
};

}  // namespace

cgroups::Resources container_resources(const oci::Config& config, bool root) {
  cgroups::Resources resources;
  if (!config.linux_config) return resources;
  if (config.linux_config->resources) resources = *config.linux_config->resources;
  if (resources.devices.empty() && !root) return resources;
  const auto& devices = config.linux_config->devices;
  for (const DefaultRule& rule : kDefaultRules) {
    const bool redefined =
        !rule.path.empty() && std::any_of(devices.begin(), devices.end(),
                                          [&](const auto& d) { return d.path == rule.path; });
    if (redefined) continue;
    resources.devices.push_back(
        {true, rule.type, rule.major, rule.minor, std::string(rule.access)});
  }
  return resources;
}

}  // namespace husk::launch
