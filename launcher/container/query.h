// query: the commands that only read: state (the OCI state of one container), list (all of
// them) and ps (the host pids in a container's cgroup).
#pragma once

#include <string>
#include <sys/types.h>
#include <vector>

#include "container/runtime.h"
#include "error.h"
#include "state/record.h"

namespace husk::launch {

// The state with its live status ("stopped" once the init is gone, whatever was recorded).
Result<State> query_state(const Runtime& runtime, const std::string& id);

struct ListEntry {
  State state;
  int64_t created_ns = 0;
};
// Every container below the root; a directory without a readable record is skipped.
Result<std::vector<ListEntry>> list_containers(const Runtime& runtime);

// The processes of the container's cgroup (host pids, sorted).
Result<std::vector<pid_t>> container_processes(const Runtime& runtime, const std::string& id);

}  // namespace husk::launch
