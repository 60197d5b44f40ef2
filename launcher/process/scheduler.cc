#include "scheduler.h"

#include <linux/sched/types.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "names.h"

namespace husk::process {
namespace {

constexpr uint32_t kSchedFifo = 1;
constexpr uint32_t kSchedRr = 2;
constexpr uint32_t kSchedIso = 4;
constexpr uint32_t kSchedDeadline = 6;

constexpr std::array<NamedValue<uint32_t>, 7> kPolicies{{
    {"SCHED_OTHER", 0},
    {"SCHED_FIFO", kSchedFifo},
    {"SCHED_RR", kSchedRr},
    {"SCHED_BATCH", 3},
    {"SCHED_ISO", kSchedIso},
    {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", kSchedDeadline},
}};

constexpr std::array<NamedValue<uint64_t>, 7> kFlags{{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

constexpr uint32_t kUtilClampMax = 1024;  // SCHED_CAPACITY_SCALE: no clamping

}  // namespace

std::optional<uint32_t> sched_policy_from_name(std::string_view name) {
  return value_of<uint32_t>(kPolicies, name);
}

std::optional<uint64_t> sched_flag_from_name(std::string_view name) {
  return value_of<uint64_t>(kFlags, name);
}

Result<SchedAttr> prepare_scheduler(const oci::Scheduler& scheduler) {
  const std::string where = ".process.scheduler";
  SchedAttr attr;
  std::optional<uint32_t> policy = sched_policy_from_name(scheduler.policy);
  if (!policy) return Error(where + ".policy: unknown policy \"" + scheduler.policy + "\"");
  if (*policy == kSchedIso) return Error(where + ".policy: SCHED_ISO is not in Linux");
  attr.policy = *policy;

  for (size_t i = 0; i < scheduler.flags.size(); ++i) {
    std::optional<uint64_t> flag = sched_flag_from_name(scheduler.flags[i]);
    if (!flag)
      return Error(where + ".flags[" + std::to_string(i) + "]: unknown flag \"" +
                   scheduler.flags[i] + "\"");
    attr.flags |= *flag;
  }

  if (scheduler.nice) {
    if (*scheduler.nice < -20 || *scheduler.nice > 19)
      return Error(where + ".nice: " + std::to_string(*scheduler.nice) + " is outside -20..19");
    attr.nice = *scheduler.nice;
  }

  const bool realtime = *policy == kSchedFifo || *policy == kSchedRr;
  const int32_t priority = scheduler.priority.value_or(0);
  if (realtime && (priority < 1 || priority > 99))
    return Error(where + ".priority: " + scheduler.policy + " needs a priority in 1..99, got " +
                 std::to_string(priority));
  if (!realtime && priority != 0)
    return Error(where + ".priority: only SCHED_FIFO and SCHED_RR take a priority");
  attr.priority = static_cast<uint32_t>(priority);

  if (*policy == kSchedDeadline) {
    attr.runtime = scheduler.runtime.value_or(0);
    attr.deadline = scheduler.deadline.value_or(0);
    attr.period = scheduler.period.value_or(0);
    const uint64_t period = attr.period != 0 ? attr.period : attr.deadline;
    if (attr.runtime == 0 || attr.deadline == 0 || attr.runtime > attr.deadline ||
        attr.deadline > period)
      return Error(where +
                   ": SCHED_DEADLINE needs 0 < runtime <= deadline <= period (period 0 is the "
                   "deadline)");
  } else if (scheduler.runtime || scheduler.deadline || scheduler.period) {
    return Error(where + ": runtime, deadline and period are for SCHED_DEADLINE only");
  }
  return attr;
}

ApplyFailure apply_scheduler(const SchedAttr& attr) {
  sched_attr kernel_attr{};
  kernel_attr.size = sizeof kernel_attr;
  kernel_attr.sched_policy = attr.policy;
  kernel_attr.sched_flags = attr.flags;
  kernel_attr.sched_nice = attr.nice;
  kernel_attr.sched_priority = attr.priority;
  kernel_attr.sched_runtime = attr.runtime;
  kernel_attr.sched_deadline = attr.deadline;
  kernel_attr.sched_period = attr.period;
  kernel_attr.sched_util_min = 0;
  kernel_attr.sched_util_max = kUtilClampMax;
  if (syscall(SYS_sched_setattr, 0, &kernel_attr, 0) != 0) return {Stage::kScheduler, 0, errno};
  return ApplyFailure::none();
}

}  // namespace husk::process
