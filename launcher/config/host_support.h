// host_support: a config field that this host cannot honour (a security module that is off, a
// namespace type the kernel lacks, resctrl that is not mounted) is an error naming the field,
// never silently ignored.
#pragma once

#include <string>

#include "error.h"
#include "oci_config.h"

namespace husk::oci {

// Probes the host below `host_root` ("/" on a real host; tests pass a fake tree): /proc/self/ns,
// /proc/self/status, /proc/sys/user, /sys/kernel/security, /sys/module/apparmor, /sys/fs/selinux
// and /sys/fs/resctrl. The error reads like a parse error:
// `config.json: .process.apparmorProfile: AppArmor is not enabled on this host`.
Status check_host_support(const Config& config, const std::string& host_root = "/");

}  // namespace husk::oci
