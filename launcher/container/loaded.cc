#include "container/loaded.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "json_text.h"

namespace husk::launch {

State Loaded::state() const {
  State state = record.state;
  state.status = status;
  if (status == ContainerStatus::kStopped) state.pid = 0;
  return state;
}

ContainerStatus live_status(const Record& record, bool being_created) {
  ContainerStatus stored = record.state.status;
  if (stored == ContainerStatus::kStopped) return stored;
  if (record.state.pid <= 0) return being_created ? stored : ContainerStatus::kStopped;
  if (!alive(record.init())) return ContainerStatus::kStopped;
  return stored;
}

Result<Loaded> load(const Runtime& runtime, const std::string& id, Lock lock) {
  auto dir = lock == Lock::kExclusive ? StateDir::open(runtime.root, id)
                                      : StateDir::open_unlocked(runtime.root, id);
  if (!dir.ok()) return std::move(dir).error();
  auto record = dir->read();
  if (!record.ok()) return std::move(record).error();
  // Unlocked, a "creating" record without a pid may be a create at work (it holds the lock).
  const bool being_created = lock == Lock::kNone &&
                             record->state.status == ContainerStatus::kCreating &&
                             record->state.pid <= 0 && dir->locked_elsewhere();
  ContainerStatus status = live_status(*record, being_created);
  return Loaded{std::move(*dir), std::move(*record), status};
}

Result<oci::Config> load_config_copy(const StateDir& dir) {
  auto text = dir.read_file("config.json");
  if (!text.ok()) return std::move(text).error();
  return oci::parse_config(*text);
}

Result<std::optional<cgroups::Cgroup>> open_cgroup(const Record& record) {
  std::vector<std::string> existing;
  for (const std::string& path : record.cgroup_paths) {
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) existing.push_back(path);
  }
  if (existing.empty()) return std::optional<cgroups::Cgroup>();
  auto hierarchy = cgroups::detect();
  if (!hierarchy.ok()) return std::move(hierarchy).error().context("cgroups");
  auto cgroup = cgroups::Cgroup::open_paths(*hierarchy, existing, record.cgroup_created);
  if (!cgroup.ok()) return std::move(cgroup).error();
  return std::optional<cgroups::Cgroup>(std::move(*cgroup));
}

Result<cgroups::Cgroup> require_cgroup(const Record& record, std::string_view verb) {
  const std::string& id = record.state.id;
  if (record.cgroup_paths.empty())
    return Error("container " + id +
                 " has no cgroup (launch ran rootless and could create none): " +
                 std::string(verb) + " needs one");
  auto cgroup = open_cgroup(record);
  if (!cgroup.ok()) return std::move(cgroup).error();
  if (!*cgroup) return Error("container " + id + ": its cgroup is gone");
  return std::move(**cgroup);
}

Status kill_all(const Record& record, int timeout_ms) {
  Status result;
  auto pidfd = open_if_alive(record.init());
  if (pidfd.ok() && pidfd->valid())
    (void)::syscall(SYS_pidfd_send_signal, pidfd->get(), SIGKILL, nullptr, 0);
  if (record.owns_cgroup()) {
    auto cgroup = open_cgroup(record);
    if (!cgroup.ok()) {
      result = std::move(cgroup).error();
    } else if (*cgroup) {
      auto left = (*cgroup)->processes(true);
      if (!left.ok() || !left->empty()) {
        auto killed = (*cgroup)->kill(SIGKILL);
        // A systemd scope ends, its cgroup removed, as soon as its last process has exited.
        if (!killed.ok() && cgroups::any_exists(record.cgroup_paths)) result = std::move(killed);
      }
    }
  }
  if (pidfd.ok() && pidfd->valid() && !wait_exit(pidfd->get(), timeout_ms) && result.ok())
    result = Error("container " + record.state.id + ": its init did not exit after SIGKILL");
  return result;
}

}  // namespace husk::launch
