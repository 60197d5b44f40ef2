#include "mount_plan.h"

#include <linux/mount.h>
#include <sys/mount.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "safe_path.h"

namespace husk::rootfs {
namespace {

std::string absolute_from(const std::string& base, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return base + "/" + path;
}

bool below(const std::string& path, std::string_view dir) {
  return path == dir || (path.starts_with(dir) && path[dir.size()] == '/');
}

// overlay's lowerdir (':'-separated), upperdir and workdir, relative to the bundle.
void resolve_overlay_dirs(std::vector<std::string>& data, const std::string& bundle) {
  for (auto& word : data) {
    auto eq = word.find('=');
    if (eq == std::string::npos) continue;
    std::string key = word.substr(0, eq);
    std::string value = word.substr(eq + 1);
    if (key == "upperdir" || key == "workdir") {
      word = key + "=" + absolute_from(bundle, value);
    } else if (key == "lowerdir") {
      std::string joined;
      size_t pos = 0;
      while (pos <= value.size()) {
        size_t end = value.find(':', pos);
        if (end == std::string::npos) end = value.size();
        if (!joined.empty()) joined += ':';
        joined += absolute_from(bundle, value.substr(pos, end - pos));
        pos = end + 1;
      }
      word = key;
      word += '=';
      word += joined;
    }
  }
}

Result<MountStep> plan_mount(const oci::Config& config, const Options& options, size_t index) {
  const oci::Mount& m = config.mounts[index];
  MountStep step;
  step.index = index;
  step.destination = clean_path(m.destination);
  step.type = m.type;
  step.source = m.source;
  if (m.destination.empty()) return Error("mounts[" + std::to_string(index) + "]: no destination");
  auto parsed = parse_mount_options(m.options);
  if (!parsed.ok()) return std::move(parsed).error().context(step.label());
  step.options = std::move(*parsed);

  if (m.type == "bind" || step.options.bind()) {
    step.kind = MountKind::kBind;
    step.type = "bind";
    step.options.flags |= MS_BIND;
    step.source = absolute_from(options.bundle_dir, m.source);
  } else if (m.type == "sysfs" && !options.net_ns) {
    step = host_bind_instead(step, "/sys");
    step.kind = MountKind::kSysfsBind;
  } else if (m.type == "cgroup" || m.type == "cgroup2") {
    step.kind = MountKind::kCgroup;
  } else {
    step.kind = MountKind::kFilesystem;
    if (m.type.empty()) return Error(step.label() + ": no type");
    if (m.type == "overlay") resolve_overlay_dirs(step.options.data, options.bundle_dir);
  }
  if (step.options.tmpcopyup && m.type != "tmpfs") {
    return Error(step.label() + ": option \"tmpcopyup\" needs a tmpfs");
  }
  if (step.kind == MountKind::kBind && m.source.empty()) {
    return Error(step.label() + ": a bind mount needs a source");
  }

  // Below /proc only a proc filesystem, or a bind (its source is checked to be on procfs when
  // mounted) unless it is one of the files lxcfs-style tools replace.
  if (below(step.destination, "/proc") && m.type != "proc" && step.kind != MountKind::kBind) {
    return Error(step.label() + ": only proc or a bind from procfs may be mounted on /proc");
  }

  if (step.options.idmap || !m.uid_mappings.empty() || !m.gid_mappings.empty()) {
    if (step.kind != MountKind::kBind) {
      return Error(step.label() + ": uidMappings/gidMappings need a bind mount");
    }
    step.options.idmap = true;
    step.uid_mappings = m.uid_mappings;
    step.gid_mappings = m.gid_mappings;
    if (step.uid_mappings.empty() && step.gid_mappings.empty() && config.linux_config) {
      step.uid_mappings = config.linux_config->uid_mappings;
      step.gid_mappings = config.linux_config->gid_mappings;
    }
    if (step.uid_mappings.empty() || step.gid_mappings.empty()) {
      return Error(step.label() + ": an idmapped mount needs uidMappings and gidMappings");
    }
  }
  return step;
}

// Filesystems whose every mount makes a superblock of its own. Others share theirs with every
// mount in the same namespace or hierarchy (sysfs: the network namespace's, mqueue: the IPC
// namespace's, cgroup2, debugfs, ...), which may be the host's.
bool has_own_superblock(const std::string& type) {
  static constexpr std::array<std::string_view, 5> kOwn{"tmpfs", "ramfs", "proc", "devpts",
                                                        "overlay"};
  return std::find(kOwn.begin(), kOwn.end(), type) != kOwn.end();
}

// The last earlier step at the destination decides what a remount may change.
Status plan_remount(const std::vector<MountStep>& earlier, MountStep& step) {
  auto last = std::find_if(earlier.rbegin(), earlier.rend(),
                           [&](const MountStep& e) { return e.destination == step.destination; });
  if (last != earlier.rend() && last->kind == MountKind::kFilesystem &&
      has_own_superblock(last->type)) {
    step.kind = MountKind::kRemountFilesystem;
    return {};
  }
  if (!step.options.data.empty() || !step.options.propagation.empty() || step.options.idmap ||
      step.options.tmpcopyup) {
    return Error(step.label() +
                 ": remount: only a filesystem an earlier mounts[] entry made here (tmpfs, " +
                 "ramfs, proc, devpts, overlay) can take filesystem options; anything else " +
                 "can change only ro, nosuid, nodev, noexec, the atime flags and nosymfollow");
  }
  step.kind = MountKind::kRemountMount;
  return {};
}

}  // namespace

MountStep host_bind_instead(const MountStep& step, const std::string& host_path) {
  MountStep bind = step;
  bind.kind = MountKind::kBind;
  bind.type = "bind";
  bind.source = host_path;
  bind.options.flags |= MS_BIND | MS_REC;
  // The restrictions asked for the filesystem hold for every submount of the host's tree too.
  bind.options.rec_attr_set |= top_attr_change(step.options).set & ~MOUNT_ATTR__ATIME;
  return bind;
}

std::string MountStep::label() const {
  return "mounts[" + std::to_string(index) + "] " + destination;
}

std::vector<oci::Device> default_devices() {
  auto dev = [](const char* path, int64_t major, int64_t minor) {
    oci::Device d;
    d.type = "c";
    d.path = path;
    d.major = major;
    d.minor = minor;
    d.file_mode = 0666;
    d.uid = 0;
    d.gid = 0;
    return d;
  };
  return {dev("/dev/null", 1, 3),   dev("/dev/zero", 1, 5),    dev("/dev/full", 1, 7),
          dev("/dev/random", 1, 8), dev("/dev/urandom", 1, 9), dev("/dev/tty", 5, 0)};
}

bool is_allowed_proc_destination(const std::string& clean_destination) {
  static constexpr std::array<std::string_view, 10> kAllowed{
      "/proc/cpuinfo", "/proc/diskstats",
      "/proc/meminfo", "/proc/stat",
      "/proc/swaps",   "/proc/uptime",
      "/proc/loadavg", "/proc/slabinfo",
      "/proc/net/dev", "/proc/sys/kernel/ns_last_pid"};
  return std::find(kAllowed.begin(), kAllowed.end(), clean_destination) != kAllowed.end();
}

Result<RootfsPlan> plan_rootfs(const oci::Config& config, const Options& options) {
  RootfsPlan plan;
  if (config.root.path.empty()) return Error("root.path is empty");
  plan.rootfs = absolute_from(options.bundle_dir, config.root.path);
  // A relative bundle stays relative to the caller's cwd.
  if (plan.rootfs.front() == '/') plan.rootfs = clean_path(plan.rootfs);

  plan.root_propagation = MS_SLAVE | MS_REC;
  if (config.linux_config && !config.linux_config->rootfs_propagation.empty()) {
    auto p = parse_propagation(config.linux_config->rootfs_propagation);
    if (!p.ok()) return std::move(p).error().context("linux.rootfsPropagation");
    plan.root_propagation = *p;
  }

  for (size_t i = 0; i < config.mounts.size(); ++i) {
    auto step = plan_mount(config, options, i);
    if (!step.ok()) return std::move(step).error();
    // A bind that says "remount" is a new bind whose flags are set as it is made.
    bool remount = (step->options.flags & MS_REMOUNT) && step->kind != MountKind::kBind &&
                   step->kind != MountKind::kSysfsBind;
    if (remount) HUSK_TRY(plan_remount(plan.mounts, *step));
    if (step->destination == "/dev" && step->kind == MountKind::kBind) plan.setup_dev = false;
    plan.mounts.push_back(std::move(*step));
  }

  plan.bind_devices = options.user_ns;
  if (plan.setup_dev) {
    plan.devices = default_devices();
    if (config.linux_config) {
      for (oci::Device d : config.linux_config->devices) {
        d.path = clean_path(d.path);
        std::erase_if(plan.devices, [&](const oci::Device& e) { return e.path == d.path; });
        plan.devices.push_back(std::move(d));
      }
    }
    plan.dev_links = {{"/dev/fd", "/proc/self/fd"},
                      {"/dev/stdin", "/proc/self/fd/0"},
                      {"/dev/stdout", "/proc/self/fd/1"},
                      {"/dev/stderr", "/proc/self/fd/2"},
                      {"/dev/ptmx", "pts/ptmx"}};
  }
  return plan;
}

}  // namespace husk::rootfs
