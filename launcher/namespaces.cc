#include "namespaces.h"

#include "text_file.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
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

// Without root the kernel takes from launch one mapping only: the caller's own id, size 1.
bool maps_only(const std::vector<oci::IdMapping>& mappings, uint32_t id) {
  return mappings.size() == 1 && mappings[0].size == 1 && mappings[0].host_id == id;
}

// More ranges go through the setuid helper of the uidmap package (newuidmap / newgidmap),
// which checks them against /etc/subuid and /etc/subgid.
Status run_id_map_helper(const std::string& helper, pid_t pid,
                         const std::vector<oci::IdMapping>& mappings, uint32_t own_id) {
  std::string path;
  for (const char* dir : {"/usr/bin/", "/bin/", "/usr/sbin/", "/sbin/"}) {
    if (::access((dir + helper).c_str(), X_OK) == 0) {
      path = dir + helper;
      break;
    }
  }
  if (path.empty())
    return Error("without root, launch maps only the caller's own id (" + std::to_string(own_id) +
                 ", size 1); more needs " + helper + " (package uidmap), which is not installed");
  std::vector<std::string> args{helper, std::to_string(pid)};
  for (const oci::IdMapping& m : mappings) {
    for (uint32_t value : {m.container_id, m.host_id, m.size})
      args.push_back(std::to_string(value));
  }
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Error::from_errno(helper + ": pipe");
  UniqueFd read_end(out[0]), write_end(out[1]);
  const pid_t child = ::fork();
  if (child < 0) return Error::from_errno(helper + ": fork");
  if (child == 0) {
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::dup2(write_end.get(), STDERR_FILENO);
    ::execve(path.c_str(), argv.data(), environ);
    ::_exit(127);
  }
  write_end.reset();
  std::string output;
  char buf[512];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (n > 0) {
      output.append(buf, static_cast<size_t>(n));
    } else if (errno != EINTR) {
      break;
    }
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return {};
  std::string reason = output.substr(0, output.find('\n'));
  if (reason.empty())
    reason = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status))
                                 : "exit status " + std::to_string(WEXITSTATUS(status));
  return Error(helper + " failed: " + reason);
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
  const bool root = ::geteuid() == 0;
  const uid_t uid = ::geteuid();
  const gid_t gid = ::getegid();
  if (root || maps_only(linux_config.uid_mappings, uid)) {
    HUSK_TRY_CTX(write_proc_file(pid, "uid_map", id_map_text(linux_config.uid_mappings)),
                 "linux.uidMappings");
  } else {
    HUSK_TRY_CTX(run_id_map_helper("newuidmap", pid, linux_config.uid_mappings, uid),
                 "linux.uidMappings");
  }
  if (root || maps_only(linux_config.gid_mappings, gid)) {
    // The kernel takes a gid_map from an unprivileged writer once setgroups is denied.
    if (!root) HUSK_TRY_CTX(write_proc_file(pid, "setgroups", "deny"), "user namespace");
    HUSK_TRY_CTX(write_proc_file(pid, "gid_map", id_map_text(linux_config.gid_mappings)),
                 "linux.gidMappings");
  } else {
    HUSK_TRY_CTX(run_id_map_helper("newgidmap", pid, linux_config.gid_mappings, gid),
                 "linux.gidMappings");
  }
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
