#include "container/query.h"

#include "container/loaded.h"

namespace husk::launch {

Result<State> query_state(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id, Lock::kNone);
  if (!loaded.ok()) return std::move(loaded).error();
  return loaded->state();
}

Result<std::vector<ListEntry>> list_containers(const Runtime& runtime) {
  auto ids = list_ids(runtime.root);
  if (!ids.ok()) return std::move(ids).error();
  std::vector<ListEntry> entries;
  for (const std::string& id : *ids) {
    auto loaded = load(runtime, id, Lock::kNone);
    if (!loaded.ok()) continue;
    entries.push_back({loaded->state(), loaded->record.created_ns});
  }
  return entries;
}

Result<std::vector<pid_t>> container_processes(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id, Lock::kNone);
  if (!loaded.ok()) return std::move(loaded).error();
  auto cgroup = open_cgroup(loaded->record);
  if (!cgroup.ok()) return std::move(cgroup).error();
  if (!*cgroup) return std::vector<pid_t>();
  return (*cgroup)->processes(true);
}

}  // namespace husk::launch
