// cgroups: one interface over cgroup v2 (unified), v1 (legacy) and hybrid hosts.
//
//   auto hierarchy = detect();                        // once, at start-up
//   auto cgroup = Cgroup::create(*hierarchy, spec.cgroupsPath, id, spec.resources);
//   cgroup->add_process(pid);
//   ...
//   cgroup->destroy();
//
// The library does not log: every failure comes back as a husk::Error whose text is one line
// (for resources: "<OCI field>: writing <value> to <file>: <strerror>").
//
// On hybrid hosts each controller is used where it is mounted (v1, or v2 for one that only the
// v2 root offers), and the container also gets a v2 directory holding its processes: the
// process list, cgroup.kill and the tools that look at v2 use that one.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "resources.h"
#include "unique_fd.h"

namespace husk::cgroups {

inline constexpr std::string_view kDefaultRoot = "/sys/fs/cgroup";

enum class Layout {
  kUnified,  // the root is a cgroup2 mount
  kLegacy,   // v1 hierarchies only
  kHybrid,   // v1 hierarchies plus a cgroup2 mount at <root>/unified
};

// "unified", "legacy" or "hybrid", for logs and diagnostics.
std::string_view layout_name(Layout layout);

// What detect() learnt about the host. Plain data: tests build one for a fake tree.
struct Hierarchy {
  std::string root;
  Layout layout = Layout::kUnified;
  // v1: controller ("memory", "cpu", "name=systemd", ...) -> the directory it is mounted on.
  std::map<std::string, std::string> v1_mounts;
  // v2 mount directory: the root on unified hosts, <root>/unified on hybrid ones, empty on legacy.
  std::string unified;
  // Controllers the v2 root offers (its cgroup.controllers).
  std::set<std::string> v2_controllers;
  // The calling process's own cgroup, as /proc/self/cgroup gives it: v1 controller -> path,
  // and "" -> the v2 path. Relative cgroupsPaths resolve below these.
  std::map<std::string, std::string> self;
};

// Whether any of these directories exists (a cgroup that vanished while it was acted on, say a
// systemd scope whose last process exited, is no error).
bool any_exists(const std::vector<std::string>& paths);

// Detects the host's layout with statfs(2) of `root` (and of <root>/unified), then describes it.
Result<Hierarchy> detect(std::string_view root = kDefaultRoot);

// Describes a tree whose layout is already known (statfs of a fake tree in a temporary folder
// says tmpfs, not cgroupfs). `proc_self_cgroup` is the text of /proc/self/cgroup.
Result<Hierarchy> describe(std::string_view root, Layout layout, std::string_view proc_self_cgroup);

// The cgroup version that handles a controller on this hierarchy. On hybrid hosts a controller
// mounted on v1 uses v1; one that only the v2 root offers (say hugetlb) uses v2.
enum class Version { kV1, kV2 };

struct Plan;  // plan.h

// Resource statistics, for `launch events --stats` and `launch ps`. A section is unset when the
// host has no such controller.
struct Stats {
  struct Memory {
    uint64_t current = 0;           // bytes
    uint64_t peak = 0;              // bytes, 0 when the kernel does not keep it
    std::optional<uint64_t> limit;  // unset: unlimited
    uint64_t swap_current = 0;      // bytes (v1: memsw usage minus usage)
    uint64_t oom_events = 0;        // times the limit was hit and reclaim failed
    uint64_t oom_kills = 0;         // processes killed by the OOM killer
  };
  struct Pids {
    uint64_t current = 0;
    std::optional<uint64_t> limit;  // unset: unlimited
  };
  struct Cpu {
    uint64_t usage_usec = 0;
    uint64_t user_usec = 0;
    uint64_t system_usec = 0;
    uint64_t periods = 0;
    uint64_t throttled_periods = 0;
    uint64_t throttled_usec = 0;
  };
  struct IoDevice {
    uint32_t major = 0;
    uint32_t minor = 0;
    uint64_t read_bytes = 0;
    uint64_t write_bytes = 0;
    uint64_t read_ios = 0;
    uint64_t write_ios = 0;
  };
  std::optional<Memory> memory;
  std::optional<Pids> pids;
  std::optional<Cpu> cpu;
  std::vector<IoDevice> io;
};

// A move-only handle on one container's cgroup, across every hierarchy of the host: one
// directory per v1 hierarchy, plus the v2 directory on unified and hybrid hosts.
class Cgroup {
 public:
  // Resolves an OCI cgroupsPath: an absolute path is taken as is (below each hierarchy's root);
  // a relative one is below the calling process's own cgroup (per hierarchy on v1); an empty
  // one is "/<container_id>" (no shared parent left behind). Creates the directories (enabling
  // the controllers it needs in the parents' cgroup.subtree_control on v2) and applies
  // `resources`. On failure, removes the directories it created.
  // A cgroup that exists already is never taken over: one with a process in it (or in a
  // descendant) is refused, an empty one is joined, and destroy() leaves it in place.
  static Result<Cgroup> create(const Hierarchy& hierarchy, std::string_view cgroups_path,
                               std::string_view container_id, const Resources& resources);

  // The directories create() would make for these arguments, absolute (as paths() gives them),
  // without touching the host: what a state file records before create() runs.
  static Result<std::vector<std::string>> planned_paths(const Hierarchy& hierarchy,
                                                        std::string_view cgroups_path,
                                                        std::string_view container_id);

  // An existing cgroup, by the same cgroupsPath rules as create(); every directory must exist.
  // A relative cgroupsPath resolves against the caller's own cgroup: a later command running in
  // another cgroup than `create` did must use open_paths() with what paths() gave. The handle
  // owns none of it: destroy() removes nothing.
  static Result<Cgroup> open(const Hierarchy& hierarchy, std::string_view cgroups_path,
                             std::string_view container_id);

  // An existing cgroup, by the directories paths() gave (what a state file records: relative
  // paths resolve against the caller's own cgroup, which a later command may not share).
  // destroy() removes those of them that are in `created` (what created_paths() gave).
  static Result<Cgroup> open_paths(const Hierarchy& hierarchy,
                                   const std::vector<std::string>& paths,
                                   const std::vector<std::string>& created = {});

  Cgroup(Cgroup&&) noexcept = default;
  Cgroup& operator=(Cgroup&&) noexcept = default;
  Cgroup(const Cgroup&) = delete;
  Cgroup& operator=(const Cgroup&) = delete;
  ~Cgroup() = default;  // the cgroup outlives the handle: destroy() removes it

  // Moves `pid` (every thread of it) into the cgroup, in every hierarchy (all of them: a process
  // placed some other way, say clone3(CLONE_INTO_CGROUP) into one directory, is only there).
  Status add_process(pid_t pid);

  // A way in for a process that has not started yet, opened by the caller (the kernel checks
  // the opener's credentials), close-on-exec: the v1 directories' `tasks` files, in the order
  // of paths(), and the v2 directory itself, for clone3(CLONE_INTO_CGROUP).
  struct Entry {
    std::vector<UniqueFd> tasks;
    std::vector<std::string> paths;  // the tasks files' paths, for errors
    UniqueFd v2_dir;                 // none without a v2 directory
  };
  Result<Entry> entry() const;

  // Run by the single-threaded process that joins (a child after clone3, which placed it in the
  // v2 directory): writes "0" to each v1 tasks file, moving the calling thread, which is the
  // whole process. A thread that moves itself takes no global lock, where a pid written to
  // cgroup.procs (v1 or v2) waits for an RCU grace period (milliseconds, tens on a loaded host).
  // No allocation: 0, or errno with *failed set to the file's index.
  static int join_self(const Entry& entry, size_t* failed);

  // Moves `pid` into the v2 directory only, when there is one (a process that joined the v1
  // directories itself, with join_self()).
  Status add_process_v2(pid_t pid);

  // Applies `resources` to the live cgroup: the same code path as create().
  Status update(const Resources& resources);

  // The processes in the cgroup; with `recursive`, also those in its descendants. Sorted.
  Result<std::vector<pid_t>> processes(bool recursive) const;

  // Freezes (v2 cgroup.freeze, v1 freezer.state) and waits until the kernel says frozen.
  Status freeze();
  Status thaw();
  Result<bool> frozen() const;

  // Sends `signal` to every process. SIGKILL where there is a v2 directory with cgroup.kill
  // (5.14+, hybrid hosts too): one write. Otherwise freeze, signal each process, thaw.
  Status kill(int signal);

  // Removes the directories create() made (descendants first) in every hierarchy, retrying
  // while the last processes exit. A cgroup that is already gone is not an error. The parents
  // (say /husk) stay: other containers share them; so does a cgroup that existed before.
  Status destroy();

  Result<Stats> stats() const;

  // The cgroup's directories, absolute: one per v1 hierarchy, then the v2 one.
  std::vector<std::string> paths() const;
  // Those of them that create() made, which destroy() removes.
  std::vector<std::string> created_paths() const;
  bool created_any() const { return !created_paths().empty(); }

 private:
  struct Dir {
    Version version = Version::kV2;
    std::string mount;                     // the hierarchy's mount directory
    std::vector<std::string> controllers;  // v1: the controllers of that mount
    std::string path;                      // absolute
    bool created = false;                  // made by create(): destroy() removes it
  };
  Cgroup(Hierarchy hierarchy, std::vector<Dir> dirs)
      : hierarchy_(std::move(hierarchy)), dirs_(std::move(dirs)) {}

  static Result<std::vector<Dir>> resolve(const Hierarchy& hierarchy, std::string_view cgroups_path,
                                          std::string_view container_id);
  const Dir* dir_for(std::string_view controller) const;  // the v1 directory of a controller
  const Dir* v2_dir() const;
  const Dir* main_dir() const;  // where the process list is authoritative
  const Dir* dir_for(Version version, std::string_view controller) const;
  // Enables in the v2 parents' cgroup.subtree_control the controllers `plan` writes to; with
  // `all`, also (best effort) every other one the host offers, for statistics.
  Status enable_controllers(const Plan& plan, bool all);
  Status apply(const Plan& plan);
  // The freezer's state file: freezer.state (v1) or cgroup.freeze (v2).
  Result<std::string> freezer_file(Version* version) const;

  Hierarchy hierarchy_;
  std::vector<Dir> dirs_;
};

}  // namespace husk::cgroups
