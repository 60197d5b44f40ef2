// idmap: a user namespace with given uid/gid maps, held only by an fd, for idmapped mounts
// (MOUNT_ATTR_IDMAP). A helper child unshares CLONE_NEWUSER, we write its maps and open its
// namespace; the child is gone before this returns.
#pragma once

#include <string>
#include <vector>

#include "error.h"
#include "oci_config.h"
#include "unique_fd.h"

namespace husk::rootfs {

// "containerID hostID size\n" per mapping, the text of /proc/PID/uid_map.
std::string id_map_text(const std::vector<oci::IdMapping>& mappings);

Result<UniqueFd> make_userns(const std::vector<oci::IdMapping>& uid_mappings,
                             const std::vector<oci::IdMapping>& gid_mappings);

}  // namespace husk::rootfs
