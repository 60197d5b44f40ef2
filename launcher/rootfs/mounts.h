// mounts: one planned mounts[] entry, done inside the rootfs at root_fd: the destination is
// resolved (and created) inside the rootfs and the mount goes onto that fd.
#pragma once

#include "cgroup_mounts.h"
#include "error.h"
#include "mount_plan.h"
#include "rootfs.h"

namespace husk::rootfs {

// `host` is the host's cgroup layout, read once by the caller when a "cgroup" entry exists.
Status apply_mount(int root_fd, const MountStep& step, const Options& options,
                   const HostCgroups& host);

}  // namespace husk::rootfs
