#include "io_priority.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <string>

#include "names.h"

namespace husk::process {
namespace {

// From linux/ioprio.h, spelled out: older kernel headers lack the file.
constexpr int kIoprioWhoProcess = 1;
constexpr int kIoprioClassShift = 13;

constexpr std::array<NamedValue<int>, 3> kClasses{{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

}  // namespace

std::optional<int> ioprio_class_from_name(std::string_view name) {
  return value_of<int>(kClasses, name);
}

Result<int> prepare_io_priority(const oci::IoPriority& io_priority) {
  std::optional<int> io_class = ioprio_class_from_name(io_priority.io_class);
  if (!io_class)
    return Error(".process.ioPriority.class: unknown class \"" + io_priority.io_class +
                 "\"");
  if (io_priority.priority < 0 || io_priority.priority > 7)
    return Error(".process.ioPriority.priority: " +
                 std::to_string(io_priority.priority) + " is outside 0..7");
  return (*io_class << kIoprioClassShift) | io_priority.priority;
}

ApplyFailure apply_io_priority(int value) {
  if (syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, value) != 0)
    return {Stage::kIoPriority, 0, errno};
  return ApplyFailure::none();
}

}  // namespace husk::process
