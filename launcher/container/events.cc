#include "container/events.h"

#include <poll.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "container/loaded.h"

namespace husk::launch {
namespace {

using nlohmann::json;

json stats_data(const cgroups::Stats& stats) {
  json data = json::object();
  if (stats.cpu) {
    const auto& c = *stats.cpu;
    data["cpu"] = {{"usage",
                    {{"total", c.usage_usec * 1000},
                     {"kernel", c.system_usec * 1000},
                     {"user", c.user_usec * 1000}}},
                   {"throttling",
                    {{"periods", c.periods},
                     {"throttledPeriods", c.throttled_periods},
                     {"throttledTime", c.throttled_usec * 1000}}}};
  }
  if (stats.memory) {
    const auto& m = *stats.memory;
    json usage = {{"usage", m.current}, {"max", m.peak}, {"failcnt", m.oom_events}};
    usage["limit"] = m.limit.value_or(UINT64_MAX);
    data["memory"] = {{"usage", usage}, {"swap", {{"usage", m.swap_current}}}};
  }
  if (stats.pids) {
    data["pids"] = {{"current", stats.pids->current}};
    if (stats.pids->limit) data["pids"]["limit"] = *stats.pids->limit;
  }
  json bytes = json::array(), ios = json::array();
  for (const auto& d : stats.io) {
    for (auto [op, value] : {std::pair{"Read", d.read_bytes}, {"Write", d.write_bytes}})
      bytes.push_back({{"major", d.major}, {"minor", d.minor}, {"op", op}, {"value", value}});
    for (auto [op, value] : {std::pair{"Read", d.read_ios}, {"Write", d.write_ios}})
      ios.push_back({{"major", d.major}, {"minor", d.minor}, {"op", op}, {"value", value}});
  }
  data["blkio"] = {{"ioServiceBytesRecursive", bytes}, {"ioServicedRecursive", ios}};
  return data;
}

uint64_t oom_count(const cgroups::Stats& stats) {
  return stats.memory ? std::max(stats.memory->oom_kills, stats.memory->oom_events) : 0;
}

}  // namespace

Status events(const Runtime& runtime, const EventsOptions& options,
              const std::function<void(const std::string&)>& emit) {
  auto loaded = load(runtime, options.id, Lock::kNone);
  if (!loaded.ok()) return std::move(loaded).error();
  if (loaded->status == ContainerStatus::kStopped)
    return Error("container " + options.id + " is stopped: events needs a live container");
  auto cgroup = require_cgroup(loaded->record, "events");
  if (!cgroup.ok()) return std::move(cgroup).error();
  auto init = open_if_alive(loaded->record.init());
  if (!init.ok()) return std::move(init).error();
  if (!init->valid()) return Error("container " + options.id + " is stopped");
  uint64_t ooms = 0;
  bool first = true;
  for (;;) {
    auto stats = cgroup->stats();
    if (!stats.ok()) return std::move(stats).error();
    uint64_t now = oom_count(*stats);
    if (!first && now > ooms) emit(json{{"type", "oom"}, {"id", options.id}}.dump());
    ooms = now;
    emit(json{{"type", "stats"}, {"id", options.id}, {"data", stats_data(*stats)}}.dump());
    first = false;
    if (options.stats_once) return {};
    // Until the next round, or the init's exit (then the stream ends).
    pollfd exited{init->get(), POLLIN, 0};
    if (::poll(&exited, 1, options.interval_ms) == 1) return {};
  }
}

}  // namespace husk::launch
