#include "systemd/properties.h"

namespace husk::launch::systemd {

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

std::vector<Property> resource_properties(const cgroups::Resources& resources) {
  std::vector<Property> properties;
  auto bytes = [](int64_t value) { return value < 0 ? kInfinity : static_cast<uint64_t>(value); };
  if (const auto& memory = resources.memory) {
    if (memory->limit) properties.push_back({"MemoryMax", bytes(*memory->limit)});
    if (memory->reservation) properties.push_back({"MemoryLow", bytes(*memory->reservation)});
  }
  if (const auto& pids = resources.pids)
    properties.push_back({"TasksMax", pids->limit < 0 ? kInfinity : uint64_t(pids->limit)});
  if (const auto& cpu = resources.cpu) {
    if (cpu->shares && *cpu->shares != 0)
      properties.push_back({"CPUWeight", cpu_shares_to_weight(*cpu->shares)});
    // systemd takes the quota per second of time: quota/period, in microseconds, rounded up to
    // whole milliseconds as systemd itself would (runc does the same, to keep them equal).
    if (cpu->period && *cpu->period != 0)
      properties.push_back({"CPUQuotaPeriodUSec", uint64_t(*cpu->period)});
    if (cpu->quota) {
      uint64_t per_second = kInfinity;
      if (*cpu->quota > 0) {
        uint64_t period = cpu->period && *cpu->period != 0 ? *cpu->period : 100000;
        per_second = uint64_t(*cpu->quota) * 1000000 / period;
        if (per_second % 10000 != 0) per_second = (per_second / 10000 + 1) * 10000;
      }
      properties.push_back({"CPUQuotaPerSecUSec", per_second});
    }
  }
  return properties;
}

std::vector<Property> scope_properties(std::string_view container_id, std::string_view slice,
                                       pid_t pid, const cgroups::Resources& resources) {
  std::vector<Property> properties = {
      {"Description", "husk container " + std::string(container_id)},
      {"Slice", std::string(slice)},
      {"Delegate", true},
      {"PIDs", std::vector<uint32_t>{static_cast<uint32_t>(pid)}},
      // Accounting on, so that the controllers are enabled for the scope however it is limited.
      {"MemoryAccounting", true},
      {"CPUAccounting", true},
      {"IOAccounting", true},
      {"TasksAccounting", true},
      // As runc: no ordering against shutdown.target and the like; launch stops the scope.
      {"DefaultDependencies", false},
  };
  for (Property& property : resource_properties(resources))
    properties.push_back(std::move(property));
  return properties;
}

}  // namespace husk::launch::systemd
