// credentials: process.user (uid, gid, additionalGids, umask) for the container's process.
#pragma once

#include <sys/types.h>

#include <span>
#include <vector>

#include "apply_failure.h"
#include "oci_config.h"

namespace husk::process {

struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> additional_gids;
  mode_t umask = 022;  // runc's default when process.user.umask is absent
};

// Plain copy of process.user; an umask above 0777 is an error naming .process.user.umask.
Result<Credentials> prepare_credentials(const oci::User& user);

// setgroups(additionalGids plus `image_groups`, the groups the image's /etc/group gives the
// user: image_user.h), setresgid(gid), setresuid(uid), umask, in that order. In a user
// namespace whose /proc/self/setgroups says "deny", an empty additionalGids skips setgroups and
// the image's groups with it (a non-empty one fails with the kernel's EPERM). Capabilities
// survive setresuid only with PR_SET_KEEPCAPS set first: see process_setup.h for the order.
ApplyFailure apply_credentials(const Credentials& credentials,
                               std::span<const gid_t> image_groups = {});

}  // namespace husk::process
