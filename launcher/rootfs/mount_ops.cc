#include "mount_ops.h"

#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>

#include "safe_path.h"

namespace husk::rootfs {

Result<UniqueFd> clone_tree(int dirfd, const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC;
  if (recursive) flags |= AT_RECURSIVE;
  if (path.empty()) flags |= AT_EMPTY_PATH;
  int fd = open_tree(dirfd, path.c_str(), flags);
  if (fd < 0) return Error::from_errno(path.empty() ? "open_tree" : "open_tree " + path);
  return UniqueFd(fd);
}

Status set_attrs(int tree_fd, MountAttrChange change, bool recursive) {
  if (change.empty()) return {};
  mount_attr attr{};
  attr.attr_set = change.set;
  attr.attr_clr = change.clr;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr(tree_fd, "", flags, &attr, sizeof(attr)) != 0) {
    return Error::from_errno("mount_setattr");
  }
  return {};
}

Status set_idmap(int tree_fd, int userns_fd, bool recursive) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr(tree_fd, "", flags, &attr, sizeof(attr)) != 0) {
    return Error::from_errno("mount_setattr idmap");
  }
  return {};
}

Status set_propagation(int mount_fd, unsigned long propagation) {
  mount_attr attr{};
  attr.propagation = propagation & ~static_cast<unsigned long>(MS_REC);
  unsigned flags = AT_EMPTY_PATH | ((propagation & MS_REC) ? AT_RECURSIVE : 0);
  if (mount_setattr(mount_fd, "", flags, &attr, sizeof(attr)) != 0) {
    return Error::from_errno("set propagation");
  }
  return {};
}

Status attach(int tree_fd, int target_fd) {
  if (move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) !=
      0) {
    return Error::from_errno("move_mount");
  }
  return {};
}

Status mount_fs(const std::string& source, int target_fd, const std::string& type,
                unsigned long flags, const std::string& data) {
  if (mount(source.c_str(), fd_path(target_fd).c_str(), type.c_str(), flags,
            data.empty() ? nullptr : data.c_str()) != 0) {
    return Error::from_errno("mount " + type);
  }
  return {};
}

Status mount_empty_readonly_tmpfs(int target_fd) {
  UniqueFd fs(fsopen("tmpfs", FSOPEN_CLOEXEC));
  if (!fs) return Error::from_errno("fsopen tmpfs");
  if (fsconfig(fs.get(), FSCONFIG_SET_STRING, "mode", "0555", 0) != 0 ||
      fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    return Error::from_errno("fsconfig tmpfs");
  }
  UniqueFd mnt(
      fsmount(fs.get(), FSMOUNT_CLOEXEC,
              MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  if (!mnt) return Error::from_errno("fsmount tmpfs");
  return attach(mnt.get(), target_fd);
}

}  // namespace husk::rootfs
