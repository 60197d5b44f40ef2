// rlimits: process.rlimits[] checked (names as oci_names.h maps them) and set with setrlimit.
#pragma once

#include <sys/resource.h>

#include <string>
#include <vector>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

struct PreparedRlimit {
  int resource = 0;  // RLIMIT_*
  rlim_t soft = 0;
  rlim_t hard = 0;
  std::string name;  // "RLIMIT_NOFILE", for messages
};

// Errors name the entry: `.process.rlimits[1].type: unknown resource
// "RLIMIT_FOO"`, a duplicate type, or soft above hard.
Result<std::vector<PreparedRlimit>> prepare_rlimits(const std::vector<oci::Rlimit>& rlimits);

// setrlimit of each entry in order; a failure reports Stage::kRlimit with the entry's index.
ApplyFailure apply_rlimits(const std::vector<PreparedRlimit>& rlimits);

}  // namespace husk::process
