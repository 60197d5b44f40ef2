// mount_ops: the mount system calls, each working on fds: a tree cloned from a path or fd
// (open_tree), its attributes (mount_setattr), attaching it onto a target fd (move_mount), and a
// filesystem mounted onto a target fd. Errors name the call; callers prepend the step.
#pragma once

#include <string>

#include "error.h"
#include "mount_options.h"
#include "unique_fd.h"

namespace husk::rootfs {

// A detached copy of the mount at dirfd/path (path "" means dirfd itself), with its submounts
// when `recursive`.
Result<UniqueFd> clone_tree(int dirfd, const std::string& path, bool recursive);

// mount_setattr on a tree: the top mount only, or all of it.
Status set_attrs(int tree_fd, MountAttrChange change, bool recursive);

// Makes a tree idmapped through the user namespace `userns_fd`.
Status set_idmap(int tree_fd, int userns_fd, bool recursive);

// Propagation (MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, with MS_REC for all submounts)
// of the mount whose root `mount_fd` is.
Status set_propagation(int mount_fd, unsigned long propagation);

// Attaches a tree from clone_tree (or fsmount) onto the file or directory `target_fd`.
Status attach(int tree_fd, int target_fd);

// mount(2) of a filesystem onto target_fd (through /proc/self/fd/N).
Status mount_fs(const std::string& source, int target_fd, const std::string& type,
                unsigned long flags, const std::string& data);

// A read-only, empty tmpfs onto target_fd, made with fsopen/fsmount (no /proc needed).
Status mount_empty_readonly_tmpfs(int target_fd);

}  // namespace husk::rootfs
