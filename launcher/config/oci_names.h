// oci_names: the fixed vocabularies of config.json (namespace types, capabilities, rlimits,
// seccomp and scheduler names, ...). Static tables, so the parser checks names without linking
// libcap or libseccomp; the launcher maps them to kernel values with the same tables.
#pragma once

#include <optional>
#include <string_view>

#include "oci_config.h"

namespace husk::oci {

std::optional<NamespaceType> namespace_type(std::string_view name);  // "pid" -> kPid

// The number of a capability named as in capabilities(7) ("CAP_CHOWN" -> 0), up to the
// newest the kernel defines (CAP_CHECKPOINT_RESTORE, 40).
std::optional<int> capability_number(std::string_view name);
inline constexpr int kLastCapability = 40;

// The resource of a getrlimit(2) name ("RLIMIT_NOFILE" -> RLIMIT_NOFILE).
std::optional<int> rlimit_resource(std::string_view name);

// Names libseccomp knows (seccomp.h of libseccomp 2.6), as the spec lists them.
bool is_seccomp_action(std::string_view name);      // SCMP_ACT_*
bool is_seccomp_arch(std::string_view name);        // SCMP_ARCH_*
bool is_seccomp_flag(std::string_view name);        // SECCOMP_FILTER_FLAG_*
bool is_seccomp_operator(std::string_view name);    // SCMP_CMP_*
bool is_sched_policy(std::string_view name);        // SCHED_OTHER, ...
bool is_sched_flag(std::string_view name);          // SCHED_FLAG_*
bool is_ioprio_class(std::string_view name);        // IOPRIO_CLASS_RT | _BE | _IDLE
bool is_rootfs_propagation(std::string_view name);  // "", shared, rslave, ...
bool is_personality_domain(std::string_view name);  // LINUX, LINUX32

}  // namespace husk::oci
