#include "host_support.h"

#include <sys/stat.h>

#include "read_file.h"

namespace husk::oci {
namespace {

// The host's files, below a root that tests can move.
class Host {
 public:
  explicit Host(const std::string& root) : root_(root) {
    while (!root_.empty() && root_.back() == '/') root_.pop_back();
  }

  bool exists(const std::string& path) const {
    struct stat st;
    return ::stat((root_ + path).c_str(), &st) == 0;
  }
  std::string read(const std::string& path) const {
    Result<std::string> text = read_file(root_ + path);
    return text.ok() ? std::move(text).value() : std::string();
  }

  bool apparmor_enabled() const {
    return exists("/sys/kernel/security/apparmor") &&
           read("/sys/module/apparmor/parameters/enabled").starts_with("Y");
  }
  bool selinux_enabled() const { return exists("/sys/fs/selinux/enforce"); }
  // The link itself: following it would make the kernel find (or make) the namespace's inode.
  bool has_namespace(std::string_view name) const {
    struct stat st;
    return ::lstat((root_ + "/proc/self/ns/" + std::string(name)).c_str(), &st) == 0;
  }
  bool user_namespaces_disabled() const {
    return read("/proc/sys/user/max_user_namespaces") == "0\n";
  }
  bool has_seccomp() const {
    return read("/proc/self/status").find("\nSeccomp:") != std::string::npos;
  }

 private:
  std::string root_;
};

Error unsupported(const std::string& path, const std::string& what) {
  return Error("config.json: " + path + ": " + what);
}

Status check_process(const Process& process, const Host& host) {
  if (!process.apparmor_profile.value_or("").empty() && !host.apparmor_enabled()) {
    return unsupported(".process.apparmorProfile", "AppArmor is not enabled on this host");
  }
  if (!process.selinux_label.value_or("").empty() && !host.selinux_enabled()) {
    return unsupported(".process.selinuxLabel", "SELinux is not enabled on this host");
  }
  return {};
}

// The file of /proc/self/ns for a namespace type: the kernel's short names.
std::string proc_ns_file(NamespaceType type) {
  switch (type) {
    case NamespaceType::kNetwork:
      return "net";
    case NamespaceType::kMount:
      return "mnt";
    default:
      return std::string(namespace_name(type));
  }
}

Status check_namespaces(const Linux& linux_config, const Host& host) {
  for (size_t i = 0; i < linux_config.namespaces.size(); ++i) {
    const Namespace& ns = linux_config.namespaces[i];
    std::string path = ".linux.namespaces[" + std::to_string(i) + "].type";
    std::string file = proc_ns_file(ns.type);
    if (!host.has_namespace(file)) {
      return unsupported(path, std::string(namespace_name(ns.type)) +
                                   " namespaces are not supported by this kernel (no "
                                   "/proc/self/ns/" +
                                   file + ")");
    }
    if (ns.type == NamespaceType::kUser && !ns.path && host.user_namespaces_disabled()) {
      return unsupported(
          path, "user namespaces are disabled on this host (user.max_user_namespaces is 0)");
    }
  }
  if (!linux_config.time_offsets.empty() && !host.has_namespace("time")) {
    return unsupported(".linux.timeOffsets",
                       "time namespaces are not supported by this kernel (no /proc/self/ns/time)");
  }
  return {};
}

Status check_intel_rdt(const IntelRdt& rdt, const Host& host) {
  if (!host.exists("/sys/fs/resctrl/info")) {
    return unsupported(".linux.intelRdt",
                       "resctrl is not mounted on this host (no /sys/fs/resctrl/info)");
  }
  if (rdt.l3_cache_schema && !host.exists("/sys/fs/resctrl/info/L3")) {
    return unsupported(".linux.intelRdt.l3CacheSchema",
                       "this host has no L3 cache allocation (no /sys/fs/resctrl/info/L3)");
  }
  if (rdt.mem_bw_schema && !host.exists("/sys/fs/resctrl/info/MB")) {
    return unsupported(".linux.intelRdt.memBwSchema",
                       "this host has no memory bandwidth allocation (no /sys/fs/resctrl/info/MB)");
  }
  if ((rdt.enable_cmt || rdt.enable_mbm || rdt.enable_monitoring) &&
      !host.exists("/sys/fs/resctrl/info/L3_MON")) {
    std::string field = rdt.enable_monitoring ? "enableMonitoring"
                        : rdt.enable_cmt      ? "enableCMT"
                                              : "enableMBM";
    return unsupported(".linux.intelRdt." + field,
                       "this host has no resctrl monitoring (no /sys/fs/resctrl/info/L3_MON)");
  }
  return {};
}

Status check_linux(const Linux& linux_config, const Host& host) {
  HUSK_TRY(check_namespaces(linux_config, host));
  if (!linux_config.mount_label.empty() && !host.selinux_enabled()) {
    return unsupported(".linux.mountLabel", "SELinux is not enabled on this host");
  }
  if (linux_config.seccomp && !host.has_seccomp()) {
    return unsupported(".linux.seccomp", "this kernel has no seccomp");
  }
  if (linux_config.intel_rdt) HUSK_TRY(check_intel_rdt(*linux_config.intel_rdt, host));
  return {};
}

}  // namespace

Status check_host_support(const Config& config, const std::string& host_root) {
  Host host(host_root);
  if (config.process) HUSK_TRY(check_process(*config.process, host));
  if (config.linux_config) HUSK_TRY(check_linux(*config.linux_config, host));
  return {};
}

}  // namespace husk::oci
