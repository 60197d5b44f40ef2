#include "container/delete.h"

#include "container/loaded.h"
#include "hooks.h"
#include "systemd/manager.h"

namespace husk::launch {

Status remove(const Runtime& runtime, const DeleteOptions& options) {
  if (options.force && validate_id(options.id).ok() && !StateDir::exists(runtime.root, options.id))
    return {};
  auto dir = StateDir::open(runtime.root, options.id);
  if (!dir.ok()) return std::move(dir).error();
  // No record: a create killed before it wrote one made nothing else yet.
  if (options.force && !dir->has_record()) return dir->remove();
  auto record = dir->read();
  if (!record.ok()) return std::move(record).error();
  ContainerStatus status = live_status(*record);
  if (!options.force && status != ContainerStatus::kCreated)
    HUSK_TRY(check_allowed(options.id, status, Operation::kDelete));
  mark(runtime.trace, "load");
  Status result = kill_all(*record, 5000);
  mark(runtime.trace, "kill");
  record->state.status = ContainerStatus::kStopped;
  record->state.pid = 0;
  auto config = load_config_copy(*dir);
  if (config.ok() && !config->hooks.poststop.empty()) {
    auto ran = process::run_hooks(config->hooks.poststop, "poststop", state_json(record->state));
    if (!ran.ok() && runtime.log != nullptr) runtime.log->warn(ran.error().text());
  }
  if (!record->systemd_unit.empty()) {  // systemd removes the scope's cgroup
    auto manager = systemd::Manager::connect();
    Status stopped = manager.ok() ? manager->stop_unit(record->systemd_unit)
                                  : Status(std::move(manager).error());
    if (!stopped.ok() && result.ok()) result = std::move(stopped);
  }
  mark(runtime.trace, "poststop");
  if (!record->cgroup_created.empty()) {  // destroy() removes only what launch made
    auto cgroup = open_cgroup(*record);
    if (!cgroup.ok()) {
      if (result.ok()) result = std::move(cgroup).error();
    } else if (*cgroup) {
      if (auto gone = (*cgroup)->destroy(); !gone.ok() && result.ok())
        result = std::move(gone).error().context("removing the cgroup");
    }
  }
  mark(runtime.trace, "cgroup");
  if (!result.ok()) {
    (void)dir->write(*record);
    return result;
  }
  Status removed = dir->remove();
  mark(runtime.trace, "state");
  return removed;
}

}  // namespace husk::launch
