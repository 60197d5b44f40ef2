#include "namespaces.h"

#include "text_file.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace husk::launch {
namespace {

// The kernel's name for the namespace a CLONE_NEW* flag makes ("net", as in /proc/PID/ns).
std::string_view kernel_name(int flag) {
  switch (flag) {
    case CLONE_NEWPID:
      return "pid";
    case CLONE_NEWNET:
      return "net";
    case CLONE_NEWNS:
      return "mnt";
    case CLONE_NEWIPC:
      return "ipc";
    case CLONE_NEWUTS:
      return "uts";
    case CLONE_NEWUSER:
      return "user";
    case CLONE_NEWCGROUP:
      return "cgroup";
    case CLONE_NEWTIME:
      return "time";
  }
  return "unknown";
}

Status write_proc_file(pid_t pid, std::string_view name, std::string_view text) {
  return write_text_file("/proc/" + std::to_string(pid) + "/" + std::string(name), text, 0);
}

}  // namespace

int clone_flag(oci::NamespaceType type) {
  switch (type) {
    case oci::NamespaceType::kPid:
      return CLONE_NEWPID;
    case oci::NamespaceType::kNetwork:
      return CLONE_NEWNET;
    case oci::NamespaceType::kMount:
      return CLONE_NEWNS;
    case oci::NamespaceType::kIpc:
      return CLONE_NEWIPC;
    case oci::NamespaceType::kUts:
      return CLONE_NEWUTS;
    case oci::NamespaceType::kUser:
      return CLONE_NEWUSER;
    case oci::NamespaceType::kCgroup:
      return CLONE_NEWCGROUP;
    case oci::NamespaceType::kTime:
      return CLONE_NEWTIME;
  }
  return 0;
}

Result<NamespacePlan> plan_namespaces(const oci::Config& config) {
  NamespacePlan plan;
  static const oci::Linux kNoLinux;
  const oci::Linux& linux_config = config.linux_config ? *config.linux_config : kNoLinux;
  int seen = 0;
  int new_flags = 0;
  NamespaceJoin user_join{oci::NamespaceType::kUser, ""};
  for (const oci::Namespace& ns : linux_config.namespaces) {
    int flag = clone_flag(ns.type);
    if (seen & flag)
      return Error("linux.namespaces: " + std::string(oci::namespace_name(ns.type)) +
                   " is listed twice");
    seen |= flag;
    if (ns.path && !ns.path->empty()) {
      if (ns.type == oci::NamespaceType::kUser) {
        user_join.path = *ns.path;
      } else {
        plan.joins.push_back({ns.type, *ns.path});
      }
    } else {
      new_flags |= flag;
    }
  }
  if (!user_join.path.empty()) plan.joins.push_back(user_join);
  plan.private_flags = seen;
  plan.new_user = new_flags & CLONE_NEWUSER;
  plan.new_time = new_flags & CLONE_NEWTIME;
  plan.new_uts = new_flags & CLONE_NEWUTS;
  plan.new_cgroup = new_flags & CLONE_NEWCGROUP;
  new_flags &= ~CLONE_NEWCGROUP;

  bool has_maps = !linux_config.uid_mappings.empty() || !linux_config.gid_mappings.empty();
  if (has_maps && !plan.new_user)
    return Error("linux.uidMappings: id mappings need a new user namespace");
  if (plan.new_user && (linux_config.uid_mappings.empty() || linux_config.gid_mappings.empty()))
    return Error("linux.namespaces: a new user namespace needs linux.uidMappings and gidMappings");
  if (!linux_config.time_offsets.empty() && !plan.new_time)
    return Error("linux.timeOffsets: time offsets need a new time namespace");
  if (!config.hostname.empty() && !(seen & CLONE_NEWUTS))
    return Error("hostname: setting the hostname needs a uts namespace");
  if (!config.domainname.empty() && !(seen & CLONE_NEWUTS))
    return Error("domainname: setting the domainname needs a uts namespace");

  bool join_for_children = false;
  for (const NamespaceJoin& join : plan.joins)
    join_for_children |=
        join.type == oci::NamespaceType::kPid || join.type == oci::NamespaceType::kTime;
  if (plan.joins.empty() && !plan.new_time) {
    plan.clone_flags = new_flags;  // one clone() makes them all: the cloned process is PID 1
  } else {
    plan.unshare_flags = new_flags & ~(CLONE_NEWPID | CLONE_NEWTIME);
    plan.unshare_for_children = new_flags & (CLONE_NEWPID | CLONE_NEWTIME);
    plan.fork_child = plan.unshare_for_children != 0 || join_for_children;
  }
  return plan;
}

Result<std::vector<OpenedNamespace>> open_joins(const std::vector<NamespaceJoin>& joins) {
  std::vector<OpenedNamespace> opened;
  for (const NamespaceJoin& join : joins) {
    int flag = clone_flag(join.type);
    std::string what =
        "linux.namespaces: " + std::string(oci::namespace_name(join.type)) + " " + join.path;
    UniqueFd fd(::open(join.path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return Error::from_errno(what);
    int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
    if (type < 0) {
      if (errno == ENOTTY || errno == EINVAL) return Error(what + ": not a namespace");
      return Error::from_errno(what + ": NS_GET_NSTYPE");
    }
    if (type != flag)
      return Error(what + ": a " + std::string(kernel_name(type)) + " namespace, not a " +
                   std::string(kernel_name(flag)) + " one");
    opened.push_back({flag, std::move(fd)});
  }
  return opened;
}

std::string id_map_text(const std::vector<oci::IdMapping>& mappings) {
  std::string text;
  for (const oci::IdMapping& m : mappings)
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
            std::to_string(m.size) + "\n";
  return text;
}

std::string time_offsets_text(const std::map<std::string, oci::TimeOffset>& offsets) {
  std::string text;
  for (const auto& [clock, offset] : offsets)
    text +=
        clock + " " + std::to_string(offset.secs) + " " + std::to_string(offset.nanosecs) + "\n";
  return text;
}

Status write_id_maps(pid_t pid, const oci::Linux& linux_config) {
  HUSK_TRY_CTX(write_proc_file(pid, "uid_map", id_map_text(linux_config.uid_mappings)),
               "linux.uidMappings");
  if (::geteuid() != 0) HUSK_TRY_CTX(write_proc_file(pid, "setgroups", "deny"), "user namespace");
  HUSK_TRY_CTX(write_proc_file(pid, "gid_map", id_map_text(linux_config.gid_mappings)),
               "linux.gidMappings");
  return {};
}

Status write_time_offsets(pid_t pid, const oci::Linux& linux_config) {
  if (linux_config.time_offsets.empty()) return {};
  HUSK_TRY_CTX(write_proc_file(pid, "timens_offsets", time_offsets_text(linux_config.time_offsets)),
               "linux.timeOffsets");
  return {};
}

JoinFailure join_namespaces(const std::vector<OpenedNamespace>& namespaces) {
  for (size_t i = 0; i < namespaces.size(); ++i) {
    if (::setns(namespaces[i].fd.get(), namespaces[i].flag) != 0) return {errno, i};
  }
  return {};
}

}  // namespace husk::launch
