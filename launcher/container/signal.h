// signal: `kill` and the freezer. kill signals the container's init through a pidfd opened and
// then checked against the recorded start time, so a recycled pid is never signalled; --all
// signals every process of the cgroup. pause and resume freeze and thaw the cgroup (v1
// freezer.state, v2 cgroup.freeze) and record "paused" / "running".
#pragma once

#include <string>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch {

struct KillOptions {
  std::string id;
  int signal = 15;
  bool all = false;
};

// Parses a signal: "9", "KILL", "SIGKILL", and the real-time "RTMIN+3".
Result<int> parse_signal(std::string_view text);

Status kill(const Runtime& runtime, const KillOptions& options);
Status pause(const Runtime& runtime, const std::string& id);
Status resume(const Runtime& runtime, const std::string& id);

}  // namespace husk::launch
