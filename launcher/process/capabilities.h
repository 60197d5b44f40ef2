// capabilities: the five capability sets of process.capabilities, as bitmasks.
// prepare_capabilities() turns the names ("CAP_SYS_ADMIN") into bit numbers with libcap and
// checks them against the running kernel (cap_last_cap); the apply steps only call prctl and
// capset(2), so the child neither allocates nor links libcap at run time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

// Bit N stands for capability number N (CAP_CHOWN is bit 0).
struct CapabilitySets {
  uint64_t bounding = 0;
  uint64_t effective = 0;
  uint64_t inheritable = 0;  // empty unless the config names some
  uint64_t permitted = 0;
  uint64_t ambient = 0;
  int last_cap = 0;  // the kernel's highest capability number (/proc/sys/kernel/cap_last_cap)
};

// "CAP_SYS_ADMIN" -> 21. Only the spec's spelling: upper case with the CAP_ prefix; numbers and
// names libcap does not know are errors (nullopt).
std::optional<int> capability_from_name(std::string_view name);
// 21 -> "CAP_SYS_ADMIN"; a number libcap has no name for gives its decimal digits.
std::string capability_name(int cap);

// The kernel's highest capability number.
Result<int> last_capability();

// Errors name the JSON path: `.process.capabilities.bounding[2]: unknown
// capability "CAP_FOO"`. Effective must be within permitted, and inheritable within bounding
// (capset(2) refuses more). Ambient capabilities that are not both permitted and inheritable
// are left out, as runc does: the kernel cannot raise them, and `runc spec` asks for them.
Result<CapabilitySets> prepare_capabilities(const oci::Capabilities& caps, int last_cap);

// --- apply steps (the child; no allocation). Each returns ApplyFailure::none() or the stage.

// Drops from the bounding set every capability not in sets.bounding (needs CAP_SETPCAP).
ApplyFailure drop_bounding_set(const CapabilitySets& sets);
// capset(2) of effective, permitted and inheritable, then the ambient set: cleared, then each
// capability of sets.ambient raised.
ApplyFailure apply_capability_sets(const CapabilitySets& sets);

}  // namespace husk::process
