#include "devices.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "mount_ops.h"
#include "safe_path.h"

namespace husk::rootfs {
namespace {

// The directories device nodes and links go in, each resolved inside the rootfs once: every
// default device is in /dev.
class ParentDirs {
 public:
  explicit ParentDirs(int root_fd) : root_fd_(root_fd) {}
  Result<int> open(const std::string& clean_dir) {
    if (dir_ && path_ == clean_dir) return dir_.get();
    auto dir = create_in_root(root_fd_, clean_dir, Create::kDirectory);
    if (!dir.ok()) return std::move(dir).error();
    dir_ = std::move(*dir);
    path_ = clean_dir;
    return dir_.get();
  }

 private:
  const int root_fd_;
  std::string path_;
  UniqueFd dir_;
};

struct Parent {
  int dir;           // the parent directory, resolved inside the rootfs (a ParentDirs' fd)
  std::string name;  // the last component
};

Result<Parent> open_parent(ParentDirs& dirs, const std::string& path) {
  std::string clean = clean_path(path);
  if (clean == "/") return Error("not a file path");
  size_t slash = clean.rfind('/');
  auto dir = dirs.open(clean.substr(0, slash == 0 ? 1 : slash));
  if (!dir.ok()) return std::move(dir).error();
  return Parent{*dir, clean.substr(slash + 1)};
}

// Removes what stands at parent/name unless it is a directory (never followed: a symlink is
// removed, not its target).
Status remove_existing(const Parent& p) {
  struct stat st {};
  if (fstatat(p.dir, p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
  if (S_ISDIR(st.st_mode)) return Error("a directory is in the way", EEXIST);
  if (unlinkat(p.dir, p.name.c_str(), 0) != 0) return Error::from_errno("unlink");
  return {};
}

Status make_node(ParentDirs& dirs, const oci::Device& d, unsigned type) {
  auto parent = open_parent(dirs, d.path);
  if (!parent.ok()) return std::move(parent).error();
  const Parent& p = *parent;
  mode_t perm = d.file_mode.value_or(0666) & 07777;
  dev_t rdev = makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  if (mknodat(p.dir, p.name.c_str(), type | perm, rdev) != 0) {
    if (errno != EEXIST) return Error::from_errno("mknod");
    struct stat st {};
    bool same = fstatat(p.dir, p.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                (st.st_mode & S_IFMT) == type && st.st_rdev == rdev;
    if (!same) {
      // Whatever the image put there (a symlink to a host file, a regular file) goes.
      HUSK_TRY(remove_existing(p));
      if (mknodat(p.dir, p.name.c_str(), type | perm, rdev) != 0) {
        return Error::from_errno("mknod");
      }
    }
  }
  // The node is ours (just made, or checked above): mode without the umask, then owner.
  if (fchmodat(p.dir, p.name.c_str(), perm, 0) != 0) return Error::from_errno("chmod");
  if (fchownat(p.dir, p.name.c_str(), d.uid.value_or(0), d.gid.value_or(0), AT_SYMLINK_NOFOLLOW) !=
      0) {
    return Error::from_errno("chown");
  }
  return {};
}

// In a user namespace: an empty file, then the host's node bound onto it.
Status bind_node(int root_fd, ParentDirs& dirs, const oci::Device& d) {
  auto parent = open_parent(dirs, d.path);
  if (!parent.ok()) return std::move(parent).error();
  struct stat st {};
  if (fstatat(parent->dir, parent->name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISREG(st.st_mode)) {
    HUSK_TRY(remove_existing(*parent));
  }
  auto tree = clone_tree(AT_FDCWD, d.path, false);
  if (!tree.ok()) return std::move(tree).error();
  auto target = create_in_root(root_fd, d.path, Create::kFile);
  if (!target.ok()) return std::move(target).error();
  return attach(tree->get(), target->get());
}

Status make_link(ParentDirs& dirs, const DevLink& link) {
  auto parent = open_parent(dirs, link.path);
  if (!parent.ok()) return std::move(parent).error();
  const Parent& p = *parent;
  if (symlinkat(link.target.c_str(), p.dir, p.name.c_str()) == 0) return {};
  if (errno != EEXIST) return Error::from_errno("symlink");
  HUSK_TRY(remove_existing(p));
  if (symlinkat(link.target.c_str(), p.dir, p.name.c_str()) != 0) {
    return Error::from_errno("symlink");
  }
  return {};
}

}  // namespace

Result<unsigned> device_file_type(const oci::Device& device) {
  if (device.type == "c" || device.type == "u") return static_cast<unsigned>(S_IFCHR);
  if (device.type == "b") return static_cast<unsigned>(S_IFBLK);
  if (device.type == "p") return static_cast<unsigned>(S_IFIFO);
  return Error("unknown device type \"" + device.type + "\"");
}

Status create_devices(int root_fd, const RootfsPlan& plan) {
  ParentDirs dirs(root_fd);
  for (const auto& d : plan.devices) {
    auto type = device_file_type(d);
    if (!type.ok()) return std::move(type).error().context("device " + d.path);
    if (plan.bind_devices) {
      HUSK_TRY_CTX(bind_node(root_fd, dirs, d), "device " + d.path);
    } else {
      auto made = make_node(dirs, d, *type);
      // mknod is not allowed (a user namespace the runtime joined): the host's node, bound.
      if (!made.ok() && made.error().errno_value() == EPERM) made = bind_node(root_fd, dirs, d);
      HUSK_TRY_CTX(std::move(made), "device " + d.path);
    }
  }
  for (const auto& link : plan.dev_links) {
    HUSK_TRY_CTX(make_link(dirs, link), link.path);
  }
  return {};
}

}  // namespace husk::rootfs
