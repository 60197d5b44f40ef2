// scheduler: process.scheduler -> a struct sched_attr for sched_setattr(2).
// A SCHED_DEADLINE process cannot fork unless SCHED_FLAG_RESET_ON_FORK is set: husk (the
// container's PID 1) forks process.args, so such a config needs that flag.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

// The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER0 fields), as plain data.
struct SchedAttr {
  uint32_t policy = 0;
  uint64_t flags = 0;
  int32_t nice = 0;
  uint32_t priority = 0;
  uint64_t runtime = 0;
  uint64_t deadline = 0;
  uint64_t period = 0;
};

std::optional<uint32_t> sched_policy_from_name(std::string_view name);  // "SCHED_FIFO" -> 1
std::optional<uint64_t> sched_flag_from_name(std::string_view name);    // "SCHED_FLAG_RECLAIM" -> 2

// Errors name the field: unknown policy or flag, SCHED_ISO (not in Linux), nice outside
// -20..19, a priority that the policy does not take (1..99 for SCHED_FIFO / SCHED_RR, else 0),
// SCHED_DEADLINE without runtime <= deadline <= period.
Result<SchedAttr> prepare_scheduler(const oci::Scheduler& scheduler);

ApplyFailure apply_scheduler(const SchedAttr& attr);

}  // namespace husk::process
