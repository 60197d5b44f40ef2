// device_rules: the container's cgroup resources as launch applies them. runc's default rules
// follow the config's device rules (runc spec's "deny all"), and stand alone when the config has
// none: as in runc and crun, a container may use only the devices its rules or these defaults
// allow (the device filter's default is deny). The defaults: mknod of any char or block device,
// and read, write and mknod of the nodes the rootfs creates (null, zero, full, random, urandom,
// tty, ptmx and the pts nodes). A default whose path a linux.devices entry
// redefines is left out. linux.devices entries get no rule of their own: the config's rules
// decide whether the container may use them, as in runc.
#pragma once

#include "oci_config.h"
#include "resources.h"

namespace husk::launch {

// `root`: launch runs as root. Without root (in a delegated subtree) no device program can be
// loaded: a config without rules then gets no filter, as runc's rootless containers.
cgroups::Resources container_resources(const oci::Config& config, bool root = true);

}  // namespace husk::launch
