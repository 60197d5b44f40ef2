// namespaces: which namespaces the container gets (a plan computed from linux.namespaces, plain
// data, unit-tested), and the steps around it: opening and checking the namespaces to join
// (parent), writing the user namespace's id maps and the time namespace's offsets (parent, into
// /proc/PID), joining and creating them (child).
//
// The child's order: setns() every joined namespace but the user one, then the user one, then
// unshare() the new ones (a new user namespace first: the others then belong to it); the
// parent writes the id maps. The cgroup namespace is unshared once the process is in its
// cgroup. The pid and time namespaces only apply to children: when one of them is new and could
// not be made by clone() itself, or the pid namespace is joined, the child forks the process
// that becomes the container's first process after the parent wrote the time offsets.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "error.h"
#include "oci_config.h"
#include "unique_fd.h"

namespace husk::launch {

struct NamespaceJoin {
  oci::NamespaceType type;
  std::string path;
};

struct NamespacePlan {
  int clone_flags = 0;    // CLONE_NEW* made by clone() itself (no join, no new time namespace)
  int unshare_flags = 0;  // CLONE_NEW* the child unshares after its joins (never pid, time, cgroup)
  int unshare_for_children = 0;      // CLONE_NEWPID / CLONE_NEWTIME unshared before the fork
  bool new_cgroup = false;           // unshared once in the cgroup
  bool fork_child = false;           // the container's process is a child of the cloned one
  std::vector<NamespaceJoin> joins;  // in setns() order: the user namespace last
  // Every namespace the container is in that is not the host's (new or joined), by CLONE_NEW*.
  int private_flags = 0;
  bool new_user = false;
  bool new_time = false;
  bool new_uts = false;
};

int clone_flag(oci::NamespaceType type);  // CLONE_NEWPID, ...

// Checks linux.namespaces (no type twice), the id maps (only with a new user namespace, which
// needs them), timeOffsets (only with a new time namespace), hostname and domainname (only with
// a new or joined uts namespace).
Result<NamespacePlan> plan_namespaces(const oci::Config& config);

// A namespace to join, opened in the parent and checked with NS_GET_NSTYPE:
// "linux.namespaces: /tmp/x: not a namespace", "...: a net namespace, not a pid one".
struct OpenedNamespace {
  int flag = 0;  // CLONE_NEW*
  UniqueFd fd;
};
Result<std::vector<OpenedNamespace>> open_joins(const std::vector<NamespaceJoin>& joins);

// The /proc/PID/uid_map and gid_map texts: "container host size\n" per mapping.
std::string id_map_text(const std::vector<oci::IdMapping>& mappings);
// The /proc/PID/timens_offsets text: "monotonic SECS NANOSECS\n", ...
std::string time_offsets_text(const std::map<std::string, oci::TimeOffset>& offsets);

// Parent: writes pid's uid_map and gid_map ("deny" to setgroups first when not root). Without
// root, a mapping other than the caller's own id alone goes through newuidmap / newgidmap.
Status write_id_maps(pid_t pid, const oci::Linux& linux_config);
// Parent: writes pid's timens_offsets (pid has unshared a time namespace no process is in yet).
Status write_time_offsets(pid_t pid, const oci::Linux& linux_config);

// Child: setns() into each opened namespace, in order. Returns the errno and the failing index.
struct JoinFailure {
  int error = 0;
  size_t index = 0;
};
JoinFailure join_namespaces(const std::vector<OpenedNamespace>& namespaces);

}  // namespace husk::launch
