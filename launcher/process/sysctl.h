// sysctl: linux.sysctl. Only namespaced keys are accepted, and only when the config gives the
// container the namespace that holds them (otherwise the write would change the host):
//   kernel.msgmax, kernel.msgmnb, kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax,
//   kernel.shmmni, kernel.shm_rmid_forced, fs.mqueue.*   -> an ipc namespace
//   net.*                                                -> a network namespace
//   kernel.hostname, kernel.domainname                   -> a uts namespace
// A key may be written with dots or with slashes ("net/ipv4/conf/eth0.1/forwarding").
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

struct PreparedSysctl {
  std::string key;   // as in the config, for messages
  std::string path;  // "/proc/sys/net/ipv4/ip_forward"
  std::string value;
};

// The namespace a key needs, or an error naming the key:
// `.linux.sysctl["vm.swappiness"]: not a namespaced sysctl`.
Result<oci::NamespaceType> sysctl_namespace(std::string_view key);

// Checks every key against `namespaces` (linux.namespaces: created or joined by path).
Result<std::vector<PreparedSysctl>> prepare_sysctls(
    const std::map<std::string, std::string>& sysctl,
    const std::vector<oci::Namespace>& namespaces);

// Writes each value to its path; call it in the child once the container's /proc is mounted
// (and before /proc/sys is made read-only). Stage::kSysctl with the index on failure.
ApplyFailure apply_sysctls(const std::vector<PreparedSysctl>& sysctls);

}  // namespace husk::process
