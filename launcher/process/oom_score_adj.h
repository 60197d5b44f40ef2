// oom_score_adj: process.oomScoreAdj, written to /proc/self/oom_score_adj.
#pragma once

#include <optional>

#include "apply_failure.h"
#include "error.h"

namespace husk::process {

// The value itself; outside -1000..1000 is an error naming .process.oomScoreAdj.
Result<int> prepare_oom_score_adj(int value);

// Writes the value to /proc/self/oom_score_adj (lowering it needs CAP_SYS_RESOURCE).
ApplyFailure apply_oom_score_adj(int value);

}  // namespace husk::process
