// cgroup_mounts: a "cgroup" or "cgroup2" entry of mounts[]. On a cgroup v2 host, or for
// "cgroup2", it is the cgroup2 hierarchy. On a v1 or hybrid host "cgroup" is a tmpfs at the
// destination with each v1 hierarchy below it (and the hybrid host's cgroup2 as "unified").
// Each is mounted fresh in a cgroup namespace, otherwise the host's directory of the
// container's own cgroup in it is bound there (the process must be in its cgroup by then);
// read-only when the entry says "ro".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "mount_plan.h"

namespace husk::rootfs {

struct HostHierarchy {
  std::string mount_point;               // host path, "/sys/fs/cgroup/memory"
  std::string mount_root;                // the mount's root inside the hierarchy, usually "/"
  std::vector<std::string> controllers;  // "memory", "cpu", "name=systemd"; empty for cgroup2
  std::string own_path;                  // this process's cgroup in it, "/user.slice"
  bool v2 = false;
};

struct HostCgroups {
  std::vector<HostHierarchy> v1;
  std::vector<HostHierarchy> unified;  // at most one: the cgroup2 hierarchy, when mounted
  bool v2_only() const { return v1.empty(); }
};

// From the text of /proc/self/mountinfo and /proc/self/cgroup.
HostCgroups parse_host_cgroups(std::string_view mountinfo, std::string_view proc_cgroup);

// Mounts `step` (kind kCgroup) inside the rootfs at root_fd.
Status mount_cgroup(int root_fd, const MountStep& step, const Options& options,
                    const HostCgroups& host);

}  // namespace husk::rootfs
