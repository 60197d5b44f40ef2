// safe_path: opening and creating paths inside a directory tree (the rootfs) as if it were "/":
// symlinks, "..", absolute links all resolve inside it (openat2 RESOLVE_IN_ROOT), magic links
// (/proc/self/fd/N) are refused, and missing components are created on the already-resolved
// parent, never by following a symlink out. Mounts then go onto the returned fd.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "unique_fd.h"

namespace husk::rootfs {

// "/a//b/../c/." -> "/a/c"; relative paths are taken from "/"; ".." stops at "/".
std::string clean_path(std::string_view path);

// The components of a cleaned path: "/a/b" -> {"a", "b"}; "/" -> {}.
std::vector<std::string> path_components(std::string_view clean);

// openat2(root_fd, path, flags | O_CLOEXEC, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS).
Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags);

enum class Create { kDirectory, kFile };

// Opens `path` inside root_fd as an O_PATH fd, creating what is missing: directories (0755) on
// the way, the last component as `last`. A dangling symlink on the way is followed inside the
// root and its target created there. An existing last component is used as it is.
Result<UniqueFd> create_in_root(int root_fd, std::string_view path, Create last);

// "/proc/self/fd/N": the path of an fd, for calls that take no fd (mount(2)).
std::string fd_path(int fd);

}  // namespace husk::rootfs
