#include "container/update.h"

#include <unistd.h>

#include <cerrno>

#include "container/loaded.h"
#include "read_file.h"
#include "systemd/manager.h"
#include "systemd/properties.h"

namespace husk::launch {
namespace {

template <class T>
void take(std::optional<T>& target, const std::optional<T>& value) {
  if (value) target = value;
}

// The flags' values over the file's.
void merge(cgroups::Resources& into, const cgroups::Resources& flags) {
  if (flags.memory) {
    if (!into.memory) into.memory.emplace();
    take(into.memory->limit, flags.memory->limit);
    take(into.memory->reservation, flags.memory->reservation);
    take(into.memory->swap, flags.memory->swap);
  }
  if (flags.cpu) {
    if (!into.cpu) into.cpu.emplace();
    take(into.cpu->shares, flags.cpu->shares);
    take(into.cpu->quota, flags.cpu->quota);
    take(into.cpu->period, flags.cpu->period);
    take(into.cpu->realtime_runtime, flags.cpu->realtime_runtime);
    take(into.cpu->realtime_period, flags.cpu->realtime_period);
    take(into.cpu->cpus, flags.cpu->cpus);
    take(into.cpu->mems, flags.cpu->mems);
  }
  if (flags.pids) into.pids = flags.pids;
  if (flags.block_io) {
    if (!into.block_io) into.block_io.emplace();
    take(into.block_io->weight, flags.block_io->weight);
  }
}

Result<std::string> read_stdin() {
  std::string text;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(STDIN_FILENO, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("--resources -: reading stdin");
    if (n == 0) return text;
    text.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Status update(const Runtime& runtime, const UpdateOptions& options) {
  auto loaded = load(runtime, options.id);
  if (!loaded.ok()) return std::move(loaded).error();
  HUSK_TRY(check_allowed(options.id, loaded->status, Operation::kUpdate));
  cgroups::Resources resources;
  if (!options.resources_file.empty()) {
    bool from_stdin = options.resources_file == "-";
    auto text = from_stdin ? read_stdin() : oci::read_file(options.resources_file);
    if (!text.ok()) return std::move(text).error().context("--resources");
    std::string name = from_stdin
                           ? std::string("--resources -")
                           : options.resources_file.substr(options.resources_file.rfind('/') + 1);
    auto parsed = oci::parse_resources_json(*text, name);
    if (!parsed.ok()) return std::move(parsed).error();
    resources = std::move(*parsed);
  }
  merge(resources, options.flags);
  auto cgroup = require_cgroup(loaded->record, "update");
  if (!cgroup.ok()) return std::move(cgroup).error();
  // --systemd-cgroup: systemd's properties first, so that it never restores the old limits.
  if (const std::string& unit = loaded->record.systemd_unit; !unit.empty()) {
    auto properties = systemd::resource_properties(resources);
    if (!properties.empty()) {
      auto manager = systemd::Manager::connect();
      if (!manager.ok()) return std::move(manager).error();
      HUSK_TRY(manager->set_unit_properties(unit, properties));
    }
  }
  return cgroup->update(resources);
}

}  // namespace husk::launch
