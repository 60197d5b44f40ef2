// mount_plan: what prepare_rootfs will do, as plain data computed from the config alone (no
// system calls), so that it can be unit-tested: the rootfs path, the propagation of "/", each
// mounts[] entry with its kind and parsed options, and the device nodes and links of /dev.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "error.h"
#include "mount_options.h"
#include "oci_config.h"
#include "rootfs.h"

namespace husk::rootfs {

enum class MountKind {
  kBind,        // type "bind" or a "bind"/"rbind" word: open_tree + mount_setattr + move_mount
  kSysfsBind,   // "sysfs" with no network namespace: the host's /sys, rbind
  kCgroup,      // "cgroup": cgroup2 on a v2 host, a tmpfs with the v1 hierarchies otherwise;
                // "cgroup2": the cgroup2 hierarchy. Either shows the container's own cgroup.
  kFilesystem,  // anything else (proc, sysfs, tmpfs, devpts, mqueue, overlay, ...)
  // "remount": of a filesystem an earlier entry made at the same destination, a remount of its
  // superblock (flags and data); of anything else (the rootfs, a bind, a path of the image),
  // only the per-mount flags of the container's own mount there, so that no superblock shared
  // with the host ever changes.
  kRemountFilesystem,
  kRemountMount,
};

struct MountStep {
  size_t index = 0;         // in config.mounts
  std::string destination;  // cleaned absolute path inside the rootfs
  std::string type;         // config's type ("bind" for kBind and kSysfsBind)
  std::string source;       // binds: host path, relative ones made absolute from the bundle
  MountKind kind = MountKind::kFilesystem;
  MountOptions options;  // overlay: lowerdir/upperdir/workdir made absolute in data
  std::vector<oci::IdMapping> uid_mappings;  // idmapped binds: the mount's or the container's
  std::vector<oci::IdMapping> gid_mappings;

  std::string label() const;  // "mounts[3] /proc": the prefix of this step's errors
};

struct DevLink {
  std::string path;    // "/dev/fd"
  std::string target;  // "/proc/self/fd"
};

struct RootfsPlan {
  std::string rootfs;                  // absolute host path of root.path
  unsigned long root_propagation = 0;  // applied to "/" first (MS_SLAVE | MS_REC unless set)
  std::vector<MountStep> mounts;
  bool setup_dev = true;      // false when /dev is a bind mount: the host's nodes are used as-is
  bool bind_devices = false;  // user namespace: bind the host's nodes, mknod is not allowed
  std::vector<oci::Device> devices;  // default devices, then linux.devices (same path replaces)
  std::vector<DevLink> dev_links;
};

// A bind of the host's `host_path` (rbind) in place of a filesystem that cannot be mounted here
// (sysfs without a network namespace, mqueue in a user namespace), keeping its options, and
// applying ro/nosuid/nodev/noexec to every submount.
MountStep host_bind_instead(const MountStep& step, const std::string& host_path);

// The devices every container gets: null, zero, full, random, urandom, tty (0666, root).
std::vector<oci::Device> default_devices();

// Destinations below /proc that a bind may cover though its source is no procfs: the files
// lxcfs-style tools replace.
bool is_allowed_proc_destination(const std::string& clean_destination);

Result<RootfsPlan> plan_rootfs(const oci::Config& config, const Options& options);

}  // namespace husk::rootfs
