// rlimits: process.rlimits[], names <-> RLIMIT_* and setrlimit.
#pragma once

#include <sys/resource.h>

#include <optional>
#include <string_view>
#include <vector>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

struct PreparedRlimit {
  int resource = 0;  // RLIMIT_*
  rlim_t soft = 0;
  rlim_t hard = 0;
};

std::optional<int> rlimit_from_name(std::string_view name);  // "RLIMIT_NOFILE" -> 7
std::optional<std::string_view> rlimit_name(int resource);   // 7 -> "RLIMIT_NOFILE"

// Errors name the entry: `config.json: .process.rlimits[1].type: unknown resource
// "RLIMIT_FOO"`, a duplicate type, or soft above hard.
Result<std::vector<PreparedRlimit>> prepare_rlimits(const std::vector<oci::Rlimit>& rlimits);

// setrlimit of each entry in order; a failure reports Stage::kRlimit with the entry's index.
ApplyFailure apply_rlimits(const std::vector<PreparedRlimit>& rlimits);

}  // namespace husk::process
