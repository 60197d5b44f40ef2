// default_spec: the config.json that `launch spec [--rootless]` writes, the same container as
// `runc spec` (runc 1.1) describes: `sh` on a terminal, a read-only `rootfs`, the usual /proc,
// /dev and /sys mounts, three capabilities, and new pid, network, ipc, uts and mount namespaces.
// Rootless drops the network namespace and the device rules, bind-mounts /sys, and adds a user
// namespace that maps root in the container to the caller.
#pragma once

#include <cstdint>
#include <string>

namespace husk::oci {

// The JSON text, tab-indented as runc writes it. `host_uid` and `host_gid` are the IDs that
// container root maps to when rootless.
std::string default_spec(bool rootless, uint32_t host_uid, uint32_t host_gid);

// The same for the calling user (getuid(), getgid()).
std::string default_spec(bool rootless);

}  // namespace husk::oci
