// rootfs: the container's root filesystem. Called in the container's process, inside its new
// mount namespace (and user namespace, maps written), before exec. Prints nothing: every failure
// is one husk::Error naming the step (`mounts[3] /proc: mount proc: Permission denied`).
//
// Order, as the runtime spec and runc do it:
//   prepare_rootfs:  "/" made rslave (or linux.rootfsPropagation), root.path bound onto itself,
//                    mounts[] in order, default devices and linux.devices, then `before_pivot`
//                    (the createRuntime and createContainer hooks), then pivot_root (or MS_MOVE
//                    + chroot with no_pivot); ends with cwd "/" in the new root.
//   (the runtime writes linux.sysctl, sets up /dev/console, ... here)
//   finalize_rootfs: readonlyPaths, maskedPaths, root.readonly.
// Every mount destination and device path is resolved inside the rootfs (openat2 with
// RESOLVE_IN_ROOT) and mounted onto the resolved fd, so no symlink in the image leads outside.
#pragma once

#include <functional>
#include <string>

#include "error.h"
#include "oci_config.h"

namespace husk::rootfs {

struct Options {
  std::string bundle_dir;  // root.path, relative bind sources and overlay dirs are relative to it
  bool no_pivot = false;   // MS_MOVE the rootfs onto "/" and chroot (ramfs roots)
  // Namespaces the container's process is in, new or joined (linux.namespaces):
  bool user_ns = false;    // devices become bind mounts of the host's nodes instead of mknod
  bool net_ns = false;     // without one, sysfs cannot be mounted: /sys is bound (rbind) instead
  bool cgroup_ns = false;  // without one, "cgroup" mounts bind the host's own cgroup directories
};

// Everything up to and including pivot_root; the process ends in the new root, cwd "/".
// `before_pivot`, when given, runs once the mounts and devices are in place, before pivot_root;
// its error stops the set-up.
Status prepare_rootfs(const oci::Config& config, const Options& options,
                      const std::function<Status()>& before_pivot = {});

// After pivot_root (and after the runtime wrote linux.sysctl): linux.readonlyPaths,
// linux.maskedPaths, then root.readonly.
Status finalize_rootfs(const oci::Config& config, const Options& options);

// prepare_rootfs then finalize_rootfs.
Status setup_rootfs(const oci::Config& config, const Options& options);

// Bind-mounts the terminal `console_fd` (a pty slave) onto /dev/console of the current root,
// creating it safely. For process.terminal; call between prepare and finalize.
Status bind_console(int console_fd);

}  // namespace husk::rootfs
