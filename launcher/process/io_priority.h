// io_priority: process.ioPriority -> the ioprio_set(2) value.
#pragma once

#include <optional>
#include <string_view>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

std::optional<int> ioprio_class_from_name(std::string_view name);  // "IOPRIO_CLASS_BE" -> 2

// (class << 13) | priority; errors for an unknown class or a priority outside 0..7, naming
// .process.ioPriority.class / .priority.
Result<int> prepare_io_priority(const oci::IoPriority& io_priority);

// ioprio_set(IOPRIO_WHO_PROCESS, 0, value).
ApplyFailure apply_io_priority(int value);

}  // namespace husk::process
