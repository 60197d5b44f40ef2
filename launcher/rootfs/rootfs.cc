#include "rootfs.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>

#include "cgroup_mounts.h"
#include "devices.h"
#include "fault_injection.h"
#include "mount_ops.h"
#include "mount_plan.h"
#include "mountinfo.h"
#include "mounts.h"
#include "safe_path.h"

namespace husk::rootfs {
namespace {

bool needs_host_cgroups(const RootfsPlan& plan) {
  for (const auto& m : plan.mounts) {
    if (m.kind == MountKind::kCgroup) return true;
  }
  return false;
}

// The rootfs directory as it is now: the top mount on root.path.
Result<UniqueFd> reopen_rootfs(const RootfsPlan& plan) {
  UniqueFd fd(open(plan.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno("open");
  return fd;
}

// root.path bound onto itself, so that it is a mount (pivot_root needs one); returns its fd.
Result<UniqueFd> bind_rootfs(const RootfsPlan& plan) {
  if (plan.root_propagation & MS_SHARED) {
    // pivot_root refuses a shared parent mount, and the bind below must not reach the host's
    // peers: the mount holding root.path, and "/", become private (not their submounts).
    char real[PATH_MAX];
    if (!realpath(plan.rootfs.c_str(), real)) return Error::from_errno("realpath");
    for (const std::string& point :
         {mount_point_of(parse_mountinfo(read_small_file("/proc/self/mountinfo")), real),
          std::string("/")}) {
      if (mount(nullptr, point.c_str(), nullptr, MS_PRIVATE, nullptr) != 0) {
        return Error::from_errno("make " + point + " private");
      }
    }
  }
  auto tree = clone_tree(AT_FDCWD, plan.rootfs, true);
  if (!tree.ok()) return std::move(tree).error();
  if (move_mount(tree->get(), "", AT_FDCWD, plan.rootfs.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    return Error::from_errno("move_mount");
  }
  return reopen_rootfs(plan);
}

Status enter_root(int root_fd, bool no_pivot, unsigned long root_propagation) {
  if (fchdir(root_fd) != 0) return Error::from_errno("chdir to the rootfs");
  if (no_pivot) {
    if (mount(".", "/", nullptr, MS_MOVE, nullptr) != 0) return Error::from_errno("move to /");
    if (chroot(".") != 0) return Error::from_errno("chroot");
  } else {
    if (syscall(SYS_pivot_root, ".", ".") != 0) return Error::from_errno("pivot_root");
    // The old root is stacked on the new one: detach it, without telling the host. Unless "/"
    // was made shared, it is a slave or private already; making it rslave here would also turn
    // the container's own shared mounts into slaves.
    if ((root_propagation & MS_SHARED) &&
        mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      return Error::from_errno("make the old root rslave");
    }
    if (umount2(".", MNT_DETACH) != 0) return Error::from_errno("detach the old root");
  }
  if (chdir("/") != 0) return Error::from_errno("chdir /");
  if ((root_propagation & MS_SHARED) && mount(nullptr, "/", nullptr, root_propagation, nullptr)) {
    return Error::from_errno("linux.rootfsPropagation: set on the new /");
  }
  return {};
}

Status make_readonly(int root_fd, const std::string& path) {
  auto fd = open_in_root(root_fd, path, O_PATH);
  if (!fd.ok()) {
    if (fd.error().errno_value() == ENOENT) return {};  // missing paths are skipped, as runc
    return std::move(fd).error();
  }
  auto tree = clone_tree(fd->get(), "", true);
  if (!tree.ok()) return std::move(tree).error();
  HUSK_TRY(set_attrs(tree->get(), MountAttrChange{MOUNT_ATTR_RDONLY, 0}, true));
  return attach(tree->get(), fd->get());
}

// The container's /dev/null, opened inside the root and checked to be the null device (1:3),
// so that masking never binds a file the image put there instead (CVE-2025-31133).
Result<UniqueFd> open_dev_null(int root_fd) {
  auto fd = open_in_root(root_fd, "/dev/null", O_PATH);
  if (!fd.ok()) return std::move(fd).error();
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) return Error::from_errno("stat /dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
    return Error("/dev/null in the container is not the null device");
  }
  return fd;
}

Status mask(int root_fd, const std::string& path, UniqueFd& dev_null) {
  auto fd = open_in_root(root_fd, path, O_PATH);
  if (!fd.ok()) {
    if (fd.error().errno_value() == ENOENT) return {};
    return std::move(fd).error();
  }
  struct stat st {};
  if (fstat(fd->get(), &st) != 0) return Error::from_errno("stat");
  if (S_ISDIR(st.st_mode)) return mount_empty_readonly_tmpfs(fd->get());
  if (!dev_null) {
    auto null_fd = open_dev_null(root_fd);
    if (!null_fd.ok()) return std::move(null_fd).error();
    dev_null = std::move(*null_fd);
  }
  auto tree = clone_tree(dev_null.get(), "", false);
  if (!tree.ok()) return std::move(tree).error();
  return attach(tree->get(), fd->get());
}

Result<UniqueFd> open_current_root() {
  UniqueFd fd(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno("open /");
  return fd;
}

}  // namespace

Status prepare_rootfs(const oci::Config& config, const Options& options,
                      const std::function<Status()>& before_pivot) {
  auto planned = plan_rootfs(config, options);
  if (!planned.ok()) return std::move(planned).error();
  const RootfsPlan& plan = *planned;

  if (mount(nullptr, "/", nullptr, plan.root_propagation, nullptr) != 0) {
    return Error::from_errno("linux.rootfsPropagation: set on /");
  }
  auto root = bind_rootfs(plan);
  if (!root.ok()) return std::move(root).error().context("root.path " + plan.rootfs);

  HostCgroups host;
  if (needs_host_cgroups(plan)) {
    host = parse_host_cgroups(read_small_file("/proc/self/mountinfo"),
                              read_small_file("/proc/self/cgroup"));
  }
  for (const auto& step : plan.mounts) {
    HUSK_TRY(apply_mount(root->get(), step, options, host));
    HUSK_TRY_CTX(injected_fault("mount:" + step.type), step.label());
    // A mount onto "/" itself (the image layers as an overlay): the rootfs is now that mount.
    if (step.destination == "/") {
      root = reopen_rootfs(plan);
      if (!root.ok()) return std::move(root).error().context(step.label());
    }
  }
  if (plan.setup_dev) HUSK_TRY(create_devices(root->get(), plan));
  if (before_pivot) HUSK_TRY(before_pivot());
  HUSK_TRY_CTX(enter_root(root->get(), options.no_pivot, plan.root_propagation),
               options.no_pivot ? "chroot" : "pivot_root");
  HUSK_TRY(injected_fault("pivot_root"));
  return {};
}

Status finalize_rootfs(const oci::Config& config, const Options&) {
  auto root = open_current_root();
  if (!root.ok()) return std::move(root).error();
  if (config.linux_config) {
    for (const auto& path : config.linux_config->readonly_paths) {
      HUSK_TRY_CTX(make_readonly(root->get(), path), "linux.readonlyPaths " + path);
    }
    UniqueFd dev_null;
    for (const auto& path : config.linux_config->masked_paths) {
      HUSK_TRY_CTX(mask(root->get(), path, dev_null), "linux.maskedPaths " + path);
    }
  }
  if (config.root.readonly) {
    HUSK_TRY_CTX(set_attrs(root->get(), MountAttrChange{MOUNT_ATTR_RDONLY, 0}, false),
                 "root.readonly");
  }
  return injected_fault("masked and read-only paths");
}

Status setup_rootfs(const oci::Config& config, const Options& options) {
  HUSK_TRY(prepare_rootfs(config, options));
  return finalize_rootfs(config, options);
}

Status bind_console(int console_fd) {
  auto root = open_current_root();
  if (!root.ok()) return std::move(root).error();
  auto target = create_in_root(root->get(), "/dev/console", Create::kFile);
  if (!target.ok()) return std::move(target).error().context("/dev/console");
  auto tree = clone_tree(console_fd, "", false);
  if (!tree.ok()) return std::move(tree).error().context("/dev/console");
  HUSK_TRY_CTX(attach(tree->get(), target->get()), "/dev/console");
  return {};
}

}  // namespace husk::rootfs
