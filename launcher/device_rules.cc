#include "device_rules.h"

namespace husk::launch {
namespace {

struct DefaultDevice {
  int64_t major;
  std::optional<int64_t> minor;  // unset: every minor
};

constexpr DefaultDevice kDefaultDevices[] = {
    {1, 3},               // null
    {1, 5},               // zero
    {1, 7},               // full
    {1, 8},               // random
    {1, 9},               // urandom
    {5, 0},               // tty
    {5, 2},               // ptmx
    {136, std::nullopt},  // pts/*
};

}  // namespace

cgroups::Resources container_resources(const oci::Config& config) {
  cgroups::Resources resources;
  if (!config.linux_config) return resources;
  if (config.linux_config->resources) resources = *config.linux_config->resources;
  if (resources.devices.empty()) return resources;
  for (const DefaultDevice& device : kDefaultDevices)
    resources.devices.push_back({true, 'c', device.major, device.minor, "rwm"});
  for (const oci::Device& device : config.linux_config->devices) {
    if (device.type != "c" && device.type != "b" && device.type != "u") continue;  // p: a fifo
    char type = device.type == "b" ? 'b' : 'c';
    resources.devices.push_back({true, type, device.major, device.minor, "rwm"});
  }
  return resources;
}

}  // namespace husk::launch
