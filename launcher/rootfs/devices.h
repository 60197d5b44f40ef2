// devices: the nodes and links of the container's /dev (default devices, linux.devices, /dev/fd,
// /dev/std*, /dev/ptmx), created inside the rootfs at root_fd: mknod, or with bind_devices (a
// user namespace) a bind of the host's node onto an empty file.
#pragma once

#include "error.h"
#include "mount_plan.h"

namespace husk::rootfs {

// S_IFCHR / S_IFBLK / S_IFIFO for a device's type ("c", "u", "b", "p").
Result<unsigned> device_file_type(const oci::Device& device);

Status create_devices(int root_fd, const RootfsPlan& plan);

}  // namespace husk::rootfs
