// query: the commands that only read: state (the OCI state of one container), list (all of
// them) and ps (the host pids in a container's cgroup, or pid namespace when rootless).
#pragma once

#include <sys/types.h>
#include <string>
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

// The processes of the container's cgroup (host pids, sorted). A container without a cgroup
// (rootless): those of its pid namespace, or without one, its init and the init's descendants.
Result<std::vector<pid_t>> container_processes(const Runtime& runtime, const std::string& id);

// runc's `ps ID ARGS...`: the host's `ps ARGS...`, its header and the rows whose PID column is
// a process of the container.
Result<std::string> ps_table(const Runtime& runtime, const std::string& id,
                             const std::vector<std::string>& ps_args);

}  // namespace husk::launch
