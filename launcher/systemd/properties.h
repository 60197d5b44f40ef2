// properties: what a transient scope is started with. The unit's own properties (Description,
// Slice, Delegate, the container's PID) and the resources systemd owns on cgroup v2, converted
// as runc does: MemoryMax, MemoryLow, TasksMax, CPUWeight, CPUQuotaPerSecUSec and
// CPUQuotaPeriodUSec. Every resource is also written to the cgroup's files afterwards (the
// cgroup library), so what systemd has no property for still applies; the properties keep
// systemd's view the same, and a daemon-reload does not undo the limits. Plain data.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "resources.h"

namespace husk::launch::systemd {

// A D-Bus variant of the types the properties use: s, b, t (uint64) and au (PIDs).
using Value = std::variant<std::string, bool, uint64_t, std::vector<uint32_t>>;

struct Property {
  std::string name;
  Value value;
  bool operator==(const Property&) const = default;
};

inline constexpr uint64_t kInfinity = UINT64_MAX;  // systemd's "infinity"

// The properties of the scope that holds `pid`, in `slice`.
std::vector<Property> scope_properties(std::string_view container_id, std::string_view slice,
                                       pid_t pid, const cgroups::Resources& resources);

// The resources systemd owns, as properties (what `launch update` sets too).
std::vector<Property> resource_properties(const cgroups::Resources& resources);

// cpu.shares (2-262144) as cgroup v2's cpu.weight (1-10000), the formula runc and crun use.
uint64_t cpu_shares_to_weight(uint64_t shares);

}  // namespace husk::launch::systemd
