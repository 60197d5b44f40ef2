// device_rules: the container's cgroup resources as launch applies them. When the config has
// device rules (runc spec's "deny all"), the default devices the rootfs creates (null, zero,
// full, random, urandom, tty, ptmx and the pts nodes) and each linux.devices entry are allowed
// after them, as runc does; otherwise creating those nodes would be denied by the cgroup.
#pragma once

#include "oci_config.h"
#include "resources.h"

namespace husk::launch {

cgroups::Resources container_resources(const oci::Config& config);

}  // namespace husk::launch
