#include "mounts.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "copy_tree.h"
#include "idmap.h"
#include "mount_ops.h"
#include "safe_path.h"

namespace husk::rootfs {
namespace {

bool below_proc(const std::string& path) { return path == "/proc" || path.starts_with("/proc/"); }

Status apply_propagation(int mount_fd, const MountOptions& options) {
  for (unsigned long p : options.propagation) HUSK_TRY(set_propagation(mount_fd, p));
  return {};
}

// bind / rbind: clone the source's tree, set its attributes and idmap while it is detached,
// attach it onto the destination's fd, then set its propagation.
Status apply_bind(int root_fd, const MountStep& step) {
  const MountOptions& o = step.options;
  auto tree = clone_tree(AT_FDCWD, step.source, o.recursive());
  if (!tree.ok()) return std::move(tree).error();
  struct stat st {};
  if (fstat(tree->get(), &st) != 0) return Error::from_errno("stat " + step.source);
  if (below_proc(step.destination) && !is_allowed_proc_destination(step.destination)) {
    struct statfs fs {};
    if (fstatfs(tree->get(), &fs) != 0 || fs.f_type != PROC_SUPER_MAGIC) {
      return Error("source " + step.source + " is not on procfs, and only procfs may be " +
                   "bound below /proc");
    }
  }
  auto target = create_in_root(root_fd, step.destination,
                               S_ISDIR(st.st_mode) ? Create::kDirectory : Create::kFile);
  if (!target.ok()) return std::move(target).error();

  HUSK_TRY(set_attrs(tree->get(), top_attr_change(o), false));
  HUSK_TRY(set_attrs(tree->get(), MountAttrChange{o.rec_attr_set, o.rec_attr_clr}, true));
  if (o.idmap) {
    auto userns = make_userns(step.uid_mappings, step.gid_mappings);
    if (!userns.ok()) return std::move(userns).error();
    HUSK_TRY(set_idmap(tree->get(), userns->get(), o.idmap_recursive));
  }
  HUSK_TRY(attach(tree->get(), target->get()));
  return apply_propagation(tree->get(), o);
}

// Where a filesystem cannot be mounted in a user namespace, runc binds the host's instead.
bool falls_back_to_bind(const MountStep& step, int err) {
  return err == EPERM && (step.type == "sysfs" || step.type == "mqueue");
}

Status apply_filesystem(int root_fd, const MountStep& step) {
  const MountOptions& o = step.options;
  auto target = create_in_root(root_fd, step.destination, Create::kDirectory);
  if (!target.ok()) return std::move(target).error();
  UniqueFd covered;  // tmpcopyup: what the tmpfs covers, to copy into it
  if (o.tmpcopyup) {
    auto dir = open_in_root(root_fd, step.destination, O_RDONLY | O_DIRECTORY);
    if (!dir.ok()) return std::move(dir).error();
    covered = std::move(*dir);
  }
  std::string source = step.source.empty() ? step.type : step.source;
  // A read-only tmpfs is filled first, then made read-only.
  unsigned long flags = covered ? o.flags & ~static_cast<unsigned long>(MS_RDONLY) : o.flags;
  auto mounted = mount_fs(source, target->get(), step.type, flags, o.data_string());
  if (!mounted.ok()) {
    if (!falls_back_to_bind(step, mounted.error().errno_value())) return mounted;
    return apply_bind(root_fd,
                      host_bind_instead(step, step.type == "sysfs" ? "/sys" : "/dev/mqueue"));
  }
  if (o.propagation.empty() && !covered) return {};
  // The destination again: now the root of the new mount.
  auto top = open_in_root(root_fd, step.destination, O_PATH | O_DIRECTORY);
  if (!top.ok()) return std::move(top).error();
  if (covered) {
    HUSK_TRY_CTX(copy_tree(covered.get(), top->get()), "tmpcopyup");
    if (o.flags & MS_RDONLY) HUSK_TRY(set_attrs(top->get(), {MOUNT_ATTR_RDONLY, 0}, false));
  }
  return apply_propagation(top->get(), o);
}

// The container's mount at the destination, which must exist: its own flags, or (for a
// filesystem this config made there) its superblock too.
Status apply_remount(int root_fd, const MountStep& step) {
  auto target = open_in_root(root_fd, step.destination, O_PATH | O_DIRECTORY);
  if (!target.ok()) return std::move(target).error();
  if (step.kind == MountKind::kRemountFilesystem) {
    return mount_fs(step.source.empty() ? step.type : step.source, target->get(), step.type,
                    step.options.flags, step.options.data_string());
  }
  auto changed = set_attrs(target->get(), top_attr_change(step.options), false);
  if (!changed.ok() && changed.error().errno_value() == EINVAL)
    return Error("remount: no mount has its root at the destination", EINVAL);
  return changed;
}

}  // namespace

Status apply_mount(int root_fd, const MountStep& step, const Options& options,
                   const HostCgroups& host) {
  switch (step.kind) {
    case MountKind::kBind:
    case MountKind::kSysfsBind:
      HUSK_TRY_CTX(apply_bind(root_fd, step), step.label());
      return {};
    case MountKind::kCgroup:
      return mount_cgroup(root_fd, step, options, host);
    case MountKind::kFilesystem:
      HUSK_TRY_CTX(apply_filesystem(root_fd, step), step.label());
      return {};
    case MountKind::kRemountFilesystem:
    case MountKind::kRemountMount:
      HUSK_TRY_CTX(apply_remount(root_fd, step), step.label());
      return {};
  }
  return {};
}

}  // namespace husk::rootfs
