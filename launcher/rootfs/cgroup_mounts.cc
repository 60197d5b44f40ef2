#include "cgroup_mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "mount_ops.h"
#include "mountinfo.h"
#include "safe_path.h"

namespace husk::rootfs {
namespace {

std::string basename_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// The source of a bind: the host's directory of our own cgroup in that hierarchy.
std::string own_directory(const HostHierarchy& h) {
  std::string rel = h.own_path;
  if (h.mount_root != "/" && rel.starts_with(h.mount_root)) rel = rel.substr(h.mount_root.size());
  return clean_path(h.mount_point + "/" + rel);
}

Status mount_hierarchy(int dir_fd, const HostHierarchy& h, const MountStep& step,
                       const Options& options) {
  unsigned long flags = step.options.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (options.cgroup_ns) {
    std::string data;
    bool named_only = std::all_of(h.controllers.begin(), h.controllers.end(),
                                  [](const std::string& c) { return c.starts_with("name="); });
    for (const auto& c : h.controllers) data += (data.empty() ? "" : ",") + c;
    if (!h.v2 && named_only) data = "none," + data;
    auto mounted = mount_fs("cgroup", dir_fd, h.v2 ? "cgroup2" : "cgroup", flags, data);
    if (mounted.ok() ||
        (mounted.error().errno_value() != EPERM && mounted.error().errno_value() != EBUSY)) {
      return mounted;
    }
    // Not allowed (a user namespace): bind the host's directory as without a cgroup namespace.
  }
  auto tree = clone_tree(AT_FDCWD, own_directory(h), true);
  if (!tree.ok()) return std::move(tree).error();
  MountOptions attrs;
  attrs.flags = flags;
  HUSK_TRY(set_attrs(tree->get(), top_attr_change(attrs), false));
  return attach(tree->get(), dir_fd);
}

Status mount_under(int root_fd, const std::string& dir, const HostHierarchy& h,
                   const MountStep& step, const Options& options) {
  auto target = create_in_root(root_fd, dir, Create::kDirectory);
  if (!target.ok()) return std::move(target).error();
  HUSK_TRY_CTX(mount_hierarchy(target->get(), h, step, options), dir);
  return {};
}

// A hierarchy at `name` in the tmpfs launch has just mounted at the destination (`top`): that
// tmpfs holds only what launch makes in it, so its names are reached by one lookup each, not by
// a resolution from the rootfs' root.
Status mount_in_tmpfs(int top, const std::string& name, const HostHierarchy& h,
                      const MountStep& step, const Options& options) {
  if (::mkdirat(top, name.c_str(), 0755) != 0) return Error::from_errno("mkdir " + name);
  UniqueFd dir(::openat(top, name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir) return Error::from_errno("open " + name);
  HUSK_TRY_CTX(mount_hierarchy(dir.get(), h, step, options), name);
  return {};
}

}  // namespace

HostCgroups parse_host_cgroups(std::string_view mountinfo, std::string_view proc_cgroup) {
  // /proc/self/cgroup: "ID:controllers:path"; ID 0 with no controllers is cgroup2.
  std::vector<std::pair<std::vector<std::string>, std::string>> memberships;
  std::string unified_path;
  bool has_unified = false;
  for (const auto& line : split(proc_cgroup, '\n')) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    if (controllers.empty()) {
      unified_path = path;
      has_unified = true;
    } else {
      memberships.emplace_back(split(controllers, ','), path);
    }
  }

  HostCgroups host;
  for (const MountInfo& m : parse_mountinfo(mountinfo)) {
    const std::string& fstype = m.fstype;
    const std::string& super_options = m.super_options;
    HostHierarchy h;
    h.mount_point = m.mount_point;
    h.mount_root = m.root;
    if (fstype == "cgroup2" && has_unified && host.unified.empty()) {
      h.v2 = true;
      h.own_path = unified_path;
      host.unified.push_back(std::move(h));
    } else if (fstype == "cgroup") {
      auto words = split(super_options, ',');
      for (const auto& membership : memberships) {
        const std::vector<std::string>& controllers = membership.first;
        bool all = std::all_of(controllers.begin(), controllers.end(), [&](const std::string& c) {
          return std::find(words.begin(), words.end(), c) != words.end();
        });
        bool seen = std::any_of(host.v1.begin(), host.v1.end(), [&](const HostHierarchy& o) {
          return o.controllers == controllers;
        });
        if (!all || seen) continue;
        h.controllers = controllers;
        h.own_path = membership.second;
        host.v1.push_back(h);
        break;
      }
    }
  }
  return host;
}

Status mount_cgroup(int root_fd, const MountStep& step, const Options& options,
                    const HostCgroups& host) {
  if (host.v2_only() || step.type == "cgroup2") {
    if (host.unified.empty()) return Error(step.label() + ": no cgroup2 hierarchy on this host");
    HUSK_TRY_CTX(mount_under(root_fd, step.destination, host.unified.front(), step, options),
                 step.label());
    return {};
  }
  auto target = create_in_root(root_fd, step.destination, Create::kDirectory);
  if (!target.ok()) return std::move(target).error().context(step.label());
  unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  HUSK_TRY_CTX(mount_fs("tmpfs", target->get(), "tmpfs", flags, "mode=755"), step.label());
  auto top = open_in_root(root_fd, step.destination, O_PATH | O_DIRECTORY);  // the tmpfs' root
  if (!top.ok()) return std::move(top).error().context(step.label());
  for (const auto& h : host.v1) {
    std::string name = basename_of(h.mount_point);
    HUSK_TRY_CTX(mount_in_tmpfs(top->get(), name, h, step, options), step.label());
    // A joined hierarchy ("cpu,cpuacct") is reachable by each controller's name too.
    for (const auto& c : h.controllers) {
      if (c == name || c.starts_with("name=")) continue;
      if (symlinkat(name.c_str(), top->get(), c.c_str()) != 0 && errno != EEXIST) {
        return Error::from_errno("symlink " + c).context(step.label());
      }
    }
  }
  for (const auto& h : host.unified) {
    HUSK_TRY_CTX(mount_in_tmpfs(top->get(), "unified", h, step, options), step.label());
  }
  if (step.options.flags & MS_RDONLY) {
    MountOptions ro;
    ro.flags = MS_RDONLY;
    HUSK_TRY_CTX(set_attrs(top->get(), top_attr_change(ro), false), step.label());
  }
  return {};
}

}  // namespace husk::rootfs
