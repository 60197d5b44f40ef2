// plan: turns an OCI `linux.resources` block into the cgroup file writes that apply it, as plain
// data (no file is touched), for v1 and for v2, with the conversions runc and crun use.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups.h"
#include "error.h"
#include "resources.h"

namespace husk::cgroups {

// One write of `value` to `file` in the cgroup directory of `controller`. `field` names the OCI
// field it comes from, for errors ("linux.resources.memory.limit").
struct Write {
  Version version = Version::kV1;
  std::string controller;  // v1: "memory", "blkio", ...; v2: "memory", "io", "cgroup", ...
  std::string file;
  std::string value;
  std::string field;
  // Written instead when `file` does not exist: v1 blkio weights live in blkio.bfq.* on kernels
  // without CFQ (5.0 and later).
  std::string fallback_file{};
  // Skipped when `file` does not exist (hugetlb's rsvd limits: kernel 5.7 and later).
  bool if_present = false;
  bool operator==(const Write&) const = default;
};

// A check before the writes: the memory limit must not be below the current usage
// (linux.resources.memory.checkBeforeUpdate).
struct UsageCheck {
  Version version = Version::kV1;
  std::string file;  // memory.usage_in_bytes or memory.current
  int64_t limit = 0;
  bool operator==(const UsageCheck&) const = default;
};

struct Plan {
  std::optional<UsageCheck> check;
  std::vector<Write> writes;
  // v2 devices: the rule list to compile into an eBPF program (empty: leave devices alone).
  std::vector<DeviceRule> v2_devices;
  bool set_v2_devices = false;
};

// Chooses the version for a controller, given its v1 and v2 names ("blkio" and "io"). Returns
// an error when the host has neither.
using Router = std::function<Result<Version>(std::string_view v1_name, std::string_view v2_name)>;

// The plan for `resources` with every controller on one version (unit tests, pure hosts).
Result<Plan> plan(const Resources& resources, Version version);

// The plan for `resources` on `hierarchy`: each controller on the version the host handles it
// with; a controller the host lacks is an error only when `resources` asks for it.
Result<Plan> plan(const Resources& resources, const Hierarchy& hierarchy);

// The version that handles a controller on `hierarchy` (see Version), or an error naming it.
Result<Version> route(const Hierarchy& hierarchy, std::string_view v1_name,
                      std::string_view v2_name);

// A device rule as devices.allow and devices.deny take it: "c 1:3 rwm", "b *:0 m".
std::string device_rule_text(const DeviceRule& rule);

// Conversions from v1 units, shared with tests.
uint64_t cpu_shares_to_weight(uint64_t shares);       // 2..262144 -> 1..10000
uint64_t blkio_weight_to_io_weight(uint64_t weight);  // 10..1000 -> 1..10000

}  // namespace husk::cgroups
