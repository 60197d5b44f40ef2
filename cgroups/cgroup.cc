// Cgroup: creating, joining, changing and removing one container's cgroup on every hierarchy.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "cgroups.h"
#include "device_filter.h"
#include "fs.h"
#include "plan.h"
#include "stats.h"
#include "text.h"

namespace husk::cgroups {
namespace {

using std::chrono::milliseconds;

std::string trim(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

std::set<std::string> words(const std::string& text) {
  std::set<std::string> result;
  for (std::string_view word : split_words(text)) result.emplace(word);
  return result;
}

std::vector<std::string> components(std::string_view path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (end > start) parts.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool inside(const std::string& path, const std::string& dir) {
  return path == dir || (path.starts_with(dir) && (dir.ends_with('/') || path[dir.size()] == '/'));
}

// Removes the directories create() made, newest first, unless told to keep them.
class CreatedDirs {
 public:
  CreatedDirs() = default;
  CreatedDirs(const CreatedDirs&) = delete;
  CreatedDirs& operator=(const CreatedDirs&) = delete;
  ~CreatedDirs() {
    for (auto dir = dirs_.rbegin(); dir != dirs_.rend(); ++dir) ::rmdir(dir->c_str());
  }
  void add(std::string dir) { dirs_.push_back(std::move(dir)); }
  void keep() { dirs_.clear(); }

 private:
  std::vector<std::string> dirs_;
};

// A new v1 cpuset cgroup has no cpus and no memory nodes, and refuses processes: it starts with
// its parent's. A file that is not there (a fake tree) is left alone.
Status inherit_cpuset(const std::string& dir) {
  const std::string parent = dir.substr(0, dir.rfind('/'));
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    auto own = fs::read_file(fs::join(dir, file));
    if (!own.ok() || !trim(*own).empty()) continue;
    auto from = fs::read_file(fs::join(parent, file));
    if (!from.ok()) return std::move(from).error();
    if (trim(*from).empty()) continue;
    if (auto w = fs::write_file(fs::join(dir, file), trim(*from)); !w.ok()) return w;
  }
  return {};
}

// mkdir -p below `mount`, recording what it made: the leaf first (its parents usually exist),
// then, if a parent is missing, every level from the mount down. True when the leaf was made,
// false when it was there already.
Result<bool> make_dirs(const std::string& mount, const std::string& path, bool cpuset,
                       CreatedDirs& created) {
  const auto made = [&](const std::string& dir) -> Status {
    created.add(dir);
    if (cpuset) return inherit_cpuset(dir);
    return {};
  };
  auto leaf = fs::make_dir(path);
  if (leaf.ok()) {
    HUSK_TRY(made(path));
    return true;
  }
  if (leaf.error().errno_value() == EEXIST) return false;
  if (leaf.error().errno_value() != ENOENT) return std::move(leaf).error();
  std::string dir = mount;
  for (const std::string& part : components(std::string_view(path).substr(mount.size()))) {
    dir = fs::join(dir, part);
    if (auto level = fs::make_dir(dir); !level.ok()) {
      if (level.error().errno_value() != EEXIST) return std::move(level).error();
      if (dir == path) return false;
      continue;
    }
    HUSK_TRY(made(dir));
  }
  return true;
}

Error enabling_failed(const std::string& controller, const std::string& file, int errno_value) {
  return Error("enabling the " + controller + " controller in " + file, errno_value);
}

Status remove_tree(const std::string& dir) {
  // Usually a leaf with no process left: one rmdir. Otherwise (EBUSY: children or processes
  // dying), the descendants first, then retries.
  if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) return {};
  auto children = fs::subdirectories(dir);
  if (!children.ok()) {
    if (children.error().errno_value() == ENOENT) return {};
    return std::move(children).error();
  }
  for (const std::string& child : *children) HUSK_TRY(remove_tree(fs::join(dir, child)));
  return fs::remove_dir(dir);
}

Status read_pids(const std::string& dir, bool recursive, std::vector<pid_t>& out) {
  auto procs = fs::read_file(fs::join(dir, "cgroup.procs"));
  if (!procs.ok()) return std::move(procs).error();
  size_t start = 0;
  while (start < procs->size()) {
    size_t end = procs->find('\n', start);
    if (end == std::string::npos) end = procs->size();
    if (end > start)
      out.push_back(static_cast<pid_t>(std::stol(procs->substr(start, end - start))));
    start = end + 1;
  }
  if (!recursive) return {};
  auto children = fs::subdirectories(dir);
  if (!children.ok()) return std::move(children).error();
  for (const std::string& child : *children) {
    HUSK_TRY(read_pids(fs::join(dir, child), true, out));
  }
  return {};
}

// An existing cgroup that create() would join: it must hold no process, in it or below it.
Status refuse_populated(const std::string& dir) {
  std::vector<pid_t> pids;
  if (auto read = read_pids(dir, true, pids); !read.ok())
    return std::move(read).error().context("reading the existing cgroup " + dir);
  if (pids.empty()) return {};
  return Error("the cgroup " + dir + " exists and has processes in it (" +
               std::to_string(pids.size()) +
               "): a container joins only an empty cgroup that it did not create");
}

// Polls `done` until it says yes, for about two seconds.
template <class Check>
Result<bool> wait_until(Check done) {
  auto delay = milliseconds(1);
  for (int attempt = 0; attempt < 40; ++attempt) {
    auto ok = done();
    if (!ok.ok() || *ok) return ok;
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, milliseconds(100));
  }
  return false;
}

std::optional<std::string> read_optional(const std::string& path) {
  auto text = fs::read_file(path);
  if (!text.ok()) return std::nullopt;
  return std::move(*text);
}

uint64_t read_number(const std::string& path) {
  const auto text = read_optional(path);
  return text ? parse_limit(*text).value_or(0) : 0;
}

}  // namespace

Result<std::vector<Cgroup::Dir>> Cgroup::resolve(const Hierarchy& h, std::string_view cgroups_path,
                                                 std::string_view container_id) {
  std::string path(cgroups_path);
  if (path.empty()) {
    if (container_id.empty() || container_id.find('/') != std::string_view::npos) {
      return Error("container id \"" + std::string(container_id) + "\" cannot name a cgroup");
    }
    path = "/" + std::string(container_id);
  }
  const bool relative = path.front() != '/';
  const std::vector<std::string> parts = components(path);
  if (parts.empty() || std::any_of(parts.begin(), parts.end(),
                                   [](const auto& p) { return p == "." || p == ".."; })) {
    return Error("cgroupsPath \"" + path + "\": not a cgroup below the hierarchy's root");
  }
  const auto own = [&](const std::string& controller) {
    const auto it = h.self.find(controller);
    return relative && it != h.self.end() ? it->second : std::string("/");
  };

  std::map<std::string, std::vector<std::string>> by_mount;  // "cpu,cpuacct" share a mount
  for (const auto& [controller, mount] : h.v1_mounts) by_mount[mount].push_back(controller);
  std::vector<Dir> dirs;
  dirs.reserve(by_mount.size() + 1);
  for (const auto& [mount, controllers] : by_mount) {
    dirs.push_back(Dir{Version::kV1, mount, controllers,
                       fs::join(mount, fs::join(own(controllers[0]), path))});
  }
  if (!h.unified.empty()) {
    dirs.push_back(Dir{Version::kV2, h.unified, {}, fs::join(h.unified, fs::join(own(""), path))});
  }
  if (dirs.empty()) return Error("no cgroup hierarchy at " + h.root);
  return dirs;
}

Result<Cgroup> Cgroup::create(const Hierarchy& hierarchy, std::string_view cgroups_path,
                              std::string_view container_id, const Resources& resources) {
  auto plan = cgroups::plan(resources, hierarchy);  // before touching anything
  if (!plan.ok()) return std::move(plan).error();
  auto dirs = resolve(hierarchy, cgroups_path, container_id);
  if (!dirs.ok()) return std::move(dirs).error();

  // What was there already is joined only when empty; what was made here is removed again if
  // a later step fails.
  CreatedDirs created;
  for (Dir& dir : *dirs) {
    const bool cpuset = std::find(dir.controllers.begin(), dir.controllers.end(), "cpuset") !=
                        dir.controllers.end();
    auto made = make_dirs(dir.mount, dir.path, cpuset, created);
    if (!made.ok()) return std::move(made).error().context("creating the cgroup");
    dir.created = *made;
    if (!dir.created) HUSK_TRY(refuse_populated(dir.path));
  }
  Cgroup cgroup(hierarchy, std::move(*dirs));
  HUSK_TRY(cgroup.enable_controllers(*plan, hierarchy.layout == Layout::kUnified));
  HUSK_TRY(cgroup.apply(*plan));
  created.keep();
  return cgroup;
}

Result<std::vector<std::string>> Cgroup::planned_paths(const Hierarchy& hierarchy,
                                                       std::string_view cgroups_path,
                                                       std::string_view container_id) {
  auto dirs = resolve(hierarchy, cgroups_path, container_id);
  if (!dirs.ok()) return std::move(dirs).error();
  std::vector<std::string> paths;
  for (const Dir& dir : *dirs) paths.push_back(dir.path);
  return paths;
}

Result<Cgroup> Cgroup::open(const Hierarchy& hierarchy, std::string_view cgroups_path,
                            std::string_view container_id) {
  auto dirs = resolve(hierarchy, cgroups_path, container_id);
  if (!dirs.ok()) return std::move(dirs).error();
  // Every directory: a relative path resolved from another cgroup than create()'s would
  // otherwise find some hierarchies and miss the others (open_paths() is the cure).
  for (const Dir& dir : *dirs) {
    if (!fs::exists(dir.path)) return Error("opening the cgroup " + dir.path, ENOENT);
  }
  return Cgroup(hierarchy, std::move(*dirs));
}

Result<Cgroup> Cgroup::open_paths(const Hierarchy& hierarchy, const std::vector<std::string>& paths,
                                  const std::vector<std::string>& created) {
  std::vector<Dir> dirs;
  for (const std::string& path : paths) {
    std::optional<Dir> found;
    for (const auto& [controller, mount] : hierarchy.v1_mounts) {
      if (!inside(path, mount)) continue;
      if (!found) found = Dir{Version::kV1, mount, {}, path};
      found->controllers.push_back(controller);
    }
    if (!found && !hierarchy.unified.empty() && inside(path, hierarchy.unified)) {
      found = Dir{Version::kV2, hierarchy.unified, {}, path};
    }
    if (!found)
      return Error("opening the cgroup " + path + ": not in a cgroup hierarchy of this host");
    if (!fs::exists(path)) return Error("opening the cgroup " + path, ENOENT);
    found->created = std::find(created.begin(), created.end(), path) != created.end();
    dirs.push_back(std::move(*found));
  }
  if (dirs.empty()) return Error("opening a cgroup: no directory given");
  return Cgroup(hierarchy, std::move(dirs));
}

const Cgroup::Dir* Cgroup::dir_for(std::string_view controller) const {
  for (const Dir& dir : dirs_) {
    if (dir.version == Version::kV1 && std::find(dir.controllers.begin(), dir.controllers.end(),
                                                 controller) != dir.controllers.end()) {
      return &dir;
    }
  }
  return nullptr;
}

const Cgroup::Dir* Cgroup::v2_dir() const {
  for (const Dir& dir : dirs_) {
    if (dir.version == Version::kV2) return &dir;
  }
  return nullptr;
}

const Cgroup::Dir* Cgroup::dir_for(Version version, std::string_view controller) const {
  return version == Version::kV1 ? dir_for(controller) : v2_dir();
}

const Cgroup::Dir* Cgroup::main_dir() const {
  if (const Dir* dir = v2_dir()) return dir;
  for (const char* controller : {"pids", "freezer", "memory"}) {
    if (const Dir* dir = dir_for(controller)) return dir;
  }
  return &dirs_.front();
}

Status Cgroup::enable_controllers(const Plan& plan, bool all) {
  const Dir* v2 = v2_dir();
  if (v2 == nullptr) return {};
  std::set<std::string> needed;
  for (const Write& w : plan.writes) {
    if (w.version == Version::kV2 && w.controller != "cgroup") needed.insert(w.controller);
  }
  std::set<std::string> wanted = needed;
  if (all) wanted.insert(hierarchy_.v2_controllers.begin(), hierarchy_.v2_controllers.end());
  if (wanted.empty()) return {};
  // Every ancestor, from the mount down to the parent, hands the controllers down.
  std::string dir = v2->mount;
  for (const std::string& part : components(std::string_view(v2->path).substr(v2->mount.size()))) {
    const std::string file = fs::join(dir, "cgroup.subtree_control");
    auto current = fs::read_file(file);
    if (!current.ok()) return std::move(current).error();
    const std::set<std::string> enabled = words(*current);
    for (const std::string& controller : wanted) {
      if (enabled.contains(controller)) continue;
      auto written = fs::write_file(file, "+" + controller);
      if (!written.ok() && needed.contains(controller)) {
        return enabling_failed(controller, file, written.error().errno_value());
      }
    }
    dir = fs::join(dir, part);
  }
  return {};
}

Status Cgroup::apply(const Plan& plan) {
  if (plan.check) {
    const UsageCheck& check = *plan.check;
    const Dir* dir = dir_for(check.version, "memory");
    if (dir == nullptr) return Error("linux.resources.memory.checkBeforeUpdate: no memory cgroup");
    auto usage = fs::read_file(fs::join(dir->path, check.file));
    if (!usage.ok()) return std::move(usage).error().context("linux.resources.memory.limit");
    const uint64_t current = parse_limit(*usage).value_or(0);
    if (static_cast<uint64_t>(check.limit) < current) {
      return Error("linux.resources.memory.limit: " + std::to_string(check.limit) +
                   " is below the current usage, " + std::to_string(current) + " in " + check.file +
                   " (checkBeforeUpdate)");
    }
  }
  fs::Writer writer;
  for (const Write& w : plan.writes) {
    const Dir* dir = dir_for(w.version, w.controller);
    if (dir == nullptr)
      return Error(w.field + ": the cgroup has no " + w.controller + " directory");
    std::string file = w.file;
    if (!w.fallback_file.empty() && !fs::exists(fs::join(dir->path, file))) file = w.fallback_file;
    if (w.if_present && !fs::exists(fs::join(dir->path, file))) continue;
    if (auto written = writer.write(fs::join(dir->path, file), w.value); !written.ok()) {
      return Error(w.field + ": writing " + w.value + " to " + file, written.error().errno_value());
    }
  }
  if (plan.set_v2_devices) {
    const Dir* dir = v2_dir();
    if (dir == nullptr) return Error("linux.resources.devices: the cgroup has no v2 directory");
    HUSK_TRY_CTX(set_device_program(dir->path, device_program(plan.v2_devices)),
                 "linux.resources.devices");
  }
  return {};
}

Status Cgroup::add_process(pid_t pid) {
  for (const Dir& dir : dirs_) {
    const std::string file = fs::join(dir.path, "cgroup.procs");
    if (auto written = fs::write_file(file, std::to_string(pid)); !written.ok()) {
      return Error("adding process " + std::to_string(pid) + " to " + file,
                   written.error().errno_value());
    }
  }
  return {};
}

Status Cgroup::add_process_v2(pid_t pid) {
  const Dir* v2 = v2_dir();
  if (v2 == nullptr) return {};
  const std::string file = fs::join(v2->path, "cgroup.procs");
  if (auto written = fs::write_file(file, std::to_string(pid)); !written.ok())
    return Error("adding process " + std::to_string(pid) + " to " + file,
                 written.error().errno_value());
  return {};
}

Result<Cgroup::Entry> Cgroup::entry() const {
  Entry entry;
  for (const Dir& dir : dirs_) {
    if (dir.version == Version::kV2) {
      entry.v2_dir.reset(::open(dir.path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
      if (!entry.v2_dir) return Error::from_errno("opening " + dir.path);
      continue;
    }
    std::string file = fs::join(dir.path, "tasks");
    UniqueFd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return Error::from_errno("opening " + file);
    entry.tasks.push_back(std::move(fd));
    entry.paths.push_back(std::move(file));
  }
  return entry;
}

int Cgroup::join_self(const Entry& entry, size_t* failed) {
  for (size_t i = 0; i < entry.tasks.size(); ++i) {
    ssize_t written = 0;
    do written = ::write(entry.tasks[i].get(), "0", 1);
    while (written < 0 && errno == EINTR);
    if (written != 1) {
      *failed = i;
      return written < 0 ? errno : EIO;
    }
  }
  return 0;
}

Status Cgroup::update(const Resources& resources) {
  auto plan = cgroups::plan(resources, hierarchy_);
  if (!plan.ok()) return std::move(plan).error();
  HUSK_TRY(enable_controllers(*plan, false));
  return apply(*plan);
}

Result<std::vector<pid_t>> Cgroup::processes(bool recursive) const {
  std::vector<pid_t> pids;
  HUSK_TRY_CTX(read_pids(main_dir()->path, recursive, pids), "listing the cgroup's processes");
  std::sort(pids.begin(), pids.end());
  pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
  return pids;
}

Result<std::string> Cgroup::freezer_file(Version* version) const {
  auto routed = route(hierarchy_, "freezer", "freezer");
  if (!routed.ok()) return std::move(routed).error();
  const Dir* dir = dir_for(*routed, "freezer");
  if (dir == nullptr) return Error("the cgroup has no freezer directory");
  *version = *routed;
  return fs::join(dir->path, *routed == Version::kV1 ? "freezer.state" : "cgroup.freeze");
}

Status Cgroup::freeze() {
  Version version;
  auto file = freezer_file(&version);
  if (!file.ok()) return std::move(file).error().context("freezing the cgroup");
  const bool v1 = version == Version::kV1;
  auto done = wait_until([&]() -> Result<bool> {
    // v1 may stay FREEZING while a task is busy: writing again retries.
    if (auto w = fs::write_file(*file, v1 ? "FROZEN" : "1"); !w.ok()) return std::move(w).error();
    return frozen();
  });
  if (!done.ok()) return std::move(done).error().context("freezing the cgroup");
  if (!*done) {
    (void)thaw();
    return Error("freezing the cgroup: " + *file + " still not frozen", ETIMEDOUT);
  }
  return {};
}

Status Cgroup::thaw() {
  Version version;
  auto file = freezer_file(&version);
  if (!file.ok()) return std::move(file).error().context("thawing the cgroup");
  if (auto w = fs::write_file(*file, version == Version::kV1 ? "THAWED" : "0"); !w.ok()) {
    return std::move(w).error().context("thawing the cgroup");
  }
  return {};
}

Result<bool> Cgroup::frozen() const {
  Version version;
  auto file = freezer_file(&version);
  if (!file.ok()) return std::move(file).error();
  if (version == Version::kV1) {
    auto state = fs::read_file(*file);
    if (!state.ok()) return std::move(state).error();
    return trim(*state) == "FROZEN";
  }
  // cgroup.freeze says what was asked; cgroup.events says whether it is done.
  auto events = fs::read_file(fs::join(file->substr(0, file->rfind('/')), "cgroup.events"));
  if (!events.ok()) return std::move(events).error();
  return parse_flat_keyed(*events)["frozen"] == 1;
}

Status Cgroup::kill(int signal) {
  const Dir* v2 = v2_dir();
  if (signal == SIGKILL && v2 != nullptr && fs::exists(fs::join(v2->path, "cgroup.kill"))) {
    if (auto w = fs::write_file(fs::join(v2->path, "cgroup.kill"), "1"); !w.ok()) {
      return std::move(w).error().context("killing the cgroup's processes");
    }
    return {};
  }
  // Frozen, no process can fork a new one between the listing and the signals.
  const bool freezable = route(hierarchy_, "freezer", "freezer").ok();
  if (freezable) HUSK_TRY_CTX(freeze(), "signalling the cgroup's processes");
  Status result;
  if (auto pids = processes(true); !pids.ok()) {
    result = std::move(pids).error();
  } else {
    for (pid_t pid : *pids) {
      if (::kill(pid, signal) != 0 && errno != ESRCH && result.ok()) {
        result = Error::from_errno("signalling process " + std::to_string(pid));
      }
    }
  }
  if (freezable) {
    if (auto thawed = thaw(); !thawed.ok() && result.ok()) result = std::move(thawed);
  }
  return result;
}

Status Cgroup::destroy() {
  Status result;
  for (const Dir& dir : dirs_) {
    if (!dir.created) continue;
    if (auto removed = remove_tree(dir.path); !removed.ok() && result.ok()) {
      result = std::move(removed).error().context("destroying the cgroup");
    }
  }
  return result;
}

Result<Stats> Cgroup::stats() const {
  Stats stats;
  const auto dir_of = [this](std::string_view v1, std::string_view v2) -> const Dir* {
    auto version = route(hierarchy_, v1, v2);
    return version.ok() ? dir_for(*version, v1) : nullptr;
  };
  const auto file = [](const Dir* dir, const char* name) { return fs::join(dir->path, name); };

  if (const Dir* dir = dir_of("memory", "memory")) {
    Stats::Memory m;
    if (dir->version == Version::kV1) {
      m.current = read_number(file(dir, "memory.usage_in_bytes"));
      m.peak = read_number(file(dir, "memory.max_usage_in_bytes"));
      m.limit = parse_limit(read_optional(file(dir, "memory.limit_in_bytes")).value_or(""));
      const uint64_t memsw = read_number(file(dir, "memory.memsw.usage_in_bytes"));
      m.swap_current = memsw > m.current ? memsw - m.current : 0;
      // v1 counts kills only: each OOM event with the killer enabled is one.
      auto oom = parse_flat_keyed(read_optional(file(dir, "memory.oom_control")).value_or(""));
      m.oom_kills = oom["oom_kill"];
      m.oom_events = oom["oom_kill"];
    } else {
      m.current = read_number(file(dir, "memory.current"));
      m.peak = read_number(file(dir, "memory.peak"));
      m.limit = parse_limit(read_optional(file(dir, "memory.max")).value_or(""));
      m.swap_current = read_number(file(dir, "memory.swap.current"));
      auto events = parse_flat_keyed(read_optional(file(dir, "memory.events")).value_or(""));
      m.oom_events = events["oom"];
      m.oom_kills = events["oom_kill"];
    }
    stats.memory = m;
  }
  if (const Dir* dir = dir_of("pids", "pids")) {
    stats.pids = Stats::Pids{read_number(file(dir, "pids.current")),
                             parse_limit(read_optional(file(dir, "pids.max")).value_or(""))};
  }
  if (const Dir* dir = dir_of("cpuacct", "cgroup")) {  // v2 cpu.stat needs no controller
    Stats::Cpu c;
    if (dir->version == Version::kV1) {
      c.usage_usec = read_number(file(dir, "cpuacct.usage")) / 1000;
      auto ticks = parse_flat_keyed(read_optional(file(dir, "cpuacct.stat")).value_or(""));
      const uint64_t hz = static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
      c.user_usec = ticks["user"] * 1000000 / hz;
      c.system_usec = ticks["system"] * 1000000 / hz;
      if (const Dir* cpu = dir_for("cpu")) {
        auto throttling = parse_flat_keyed(read_optional(file(cpu, "cpu.stat")).value_or(""));
        c.periods = throttling["nr_periods"];
        c.throttled_periods = throttling["nr_throttled"];
        c.throttled_usec = throttling["throttled_time"] / 1000;
      }
    } else {
      auto s = parse_flat_keyed(read_optional(file(dir, "cpu.stat")).value_or(""));
      c = Stats::Cpu{s["usage_usec"], s["user_usec"],    s["system_usec"],
                     s["nr_periods"], s["nr_throttled"], s["throttled_usec"]};
    }
    stats.cpu = c;
  }
  if (const Dir* dir = dir_of("blkio", "io")) {
    if (dir->version == Version::kV1) {
      stats.io = parse_blkio(
          read_optional(file(dir, "blkio.throttle.io_service_bytes_recursive")).value_or(""),
          read_optional(file(dir, "blkio.throttle.io_serviced_recursive")).value_or(""));
    } else {
      stats.io = parse_io_stat(read_optional(file(dir, "io.stat")).value_or(""));
    }
  }
  return stats;
}

std::vector<std::string> Cgroup::paths() const {
  std::vector<std::string> paths;
  for (const Dir& dir : dirs_) paths.push_back(dir.path);
  return paths;
}

std::vector<std::string> Cgroup::created_paths() const {
  std::vector<std::string> paths;
  for (const Dir& dir : dirs_) {
    if (dir.created) paths.push_back(dir.path);
  }
  return paths;
}

}  // namespace husk::cgroups
