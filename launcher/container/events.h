// events: a container's statistics as runc's event lines, one JSON object a line:
//   {"type":"stats","id":"c1","data":{"cpu":{...},"memory":{...},"pids":{...},"blkio":{...}}}
//   {"type":"oom","id":"c1"}   when the kernel's OOM killer killed in its cgroup
// With stats_once: one stats line. Otherwise a stats line every interval (and an oom line as soon
// as it is seen) until the container stops.
#pragma once

#include <functional>
#include <string>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch {

struct EventsOptions {
  std::string id;
  bool stats_once = false;
  int interval_ms = 5000;
};

Status events(const Runtime& runtime, const EventsOptions& options,
              const std::function<void(const std::string&)>& emit);

}  // namespace husk::launch
