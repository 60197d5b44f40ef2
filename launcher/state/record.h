// record: what a container is, written to <root>/<id>/state.json so that any later command (a
// fresh process) can act on it. Two parts:
//   - the OCI state (what `launch state` prints and hooks read on stdin): ociVersion, id,
//     status, pid, bundle, annotations;
//   - a private part for later commands: the init process's identity (pid and start time, so a
//     recycled pid is never signalled), the cgroup's directories (absolute, as the creating
//     process resolved them), which of them launch made, the creation time and flags (no init,
//     foreground).
// Read and written with nlohmann-json; the file is replaced atomically (store.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "state/process_identity.h"
#include "state/status.h"

namespace husk::launch {

struct State {
  std::string oci_version;
  std::string id;
  ContainerStatus status = ContainerStatus::kCreating;
  pid_t pid = 0;       // 0: no process (yet, or any more)
  std::string bundle;  // absolute
  std::map<std::string, std::string> annotations;
};

// The state as JSON, one line: {"ociVersion":...,"id":...,"status":...,"pid":...,"bundle":...}.
std::string state_json(const State& state);

struct Record {
  State state;
  uint64_t init_start_time = 0;           // with state.pid: the init's ProcessIdentity
  std::vector<std::string> cgroup_paths;  // absolute, one per hierarchy
  // Those of cgroup_paths that launch made (a cgroup that existed is joined, never taken over):
  // delete removes only these.
  std::vector<std::string> cgroup_created;
  int64_t created_ns = 0;  // CLOCK_REALTIME
  bool no_init = false;
  bool foreground = false;  // `launch run` in the foreground: that launch waits for and deletes it
  // --systemd-cgroup: the transient scope ("husk-abc.scope") that holds cgroup_paths; delete
  // stops it.
  std::string systemd_unit;

  ProcessIdentity init() const { return {state.pid, init_start_time}; }
  // launch made every directory of the cgroup: what is in it is the container's to kill.
  bool owns_cgroup() const {
    return !cgroup_created.empty() && cgroup_created.size() == cgroup_paths.size();
  }
};

std::string record_json(const Record& record);
// Errors name the file: "state.json: .status: unknown status \"x\"".
Result<Record> parse_record(std::string_view text);

// An ID is non-empty, at most 1024 bytes, of [A-Za-z0-9_.+-], and not "." or "..".
Status validate_id(std::string_view id);

}  // namespace husk::launch
