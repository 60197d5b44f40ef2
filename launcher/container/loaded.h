// loaded: a container as a later command finds it: its state directory (locked, or not for
// read-only commands), its record, and its status as it is now. The record says what the last
// command wrote; the status is corrected from the host: a container whose init process is gone
// (or whose pid now belongs to another process: the start time differs) is stopped, whatever
// the record says.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cgroups.h"
#include "container/runtime.h"
#include "error.h"
#include "oci_config.h"
#include "state/record.h"
#include "state/store.h"

namespace husk::launch {

struct Loaded {
  StateDir dir;
  Record record;
  ContainerStatus status = ContainerStatus::kStopped;  // live
  // The record's state, with the live status (and pid 0 once stopped): what `state` prints
  // and hooks read.
  State state() const;
};

enum class Lock { kExclusive, kNone };

// "container c1 does not exist" when there is no state directory.
Result<Loaded> load(const Runtime& runtime, const std::string& id, Lock lock = Lock::kExclusive);

// `being_created`: a "creating" record without a pid whose create still runs (it holds the
// state directory's lock); without it such a record is a create that died: stopped.
ContainerStatus live_status(const Record& record, bool being_created = false);

// The config.json copy the state directory holds.
Result<oci::Config> load_config_copy(const StateDir& dir);

// The container's cgroup, at the recorded paths that still exist (destroy() removes only those
// launch made); nullopt when none does.
Result<std::optional<cgroups::Cgroup>> open_cgroup(const Record& record);
// The cgroup that `verb` (pause, update, events) works on: an error when it is gone, or when
// the container never had one (launch ran rootless and could create none).
Result<cgroups::Cgroup> require_cgroup(const Record& record, std::string_view verb);

// Kills the container's processes (SIGKILL, the cgroup's and the init through its pidfd) and
// waits up to `timeout_ms` for the init to exit.
Status kill_all(const Record& record, int timeout_ms);

}  // namespace husk::launch
