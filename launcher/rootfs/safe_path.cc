#include "safe_path.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace husk::rootfs {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's own limit

std::string join(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

// openat2(dir, path) with O_CLOEXEC, retried while the kernel says EAGAIN (a rename raced the
// lookup): the fd, or -1 with errno.
int openat2_retrying(int dir, const char* path, int flags, uint64_t resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = resolve;
  int fd;
  do {
    fd = static_cast<int>(syscall(SYS_openat2, dir, path, &how, sizeof(how)));
  } while (fd < 0 && errno == EAGAIN);
  return fd;
}

// Creates `name` in the directory `parent`: a directory (0755), or an empty file (0644) that
// is never a symlink followed. 0 or errno.
int make_entry(int parent, const std::string& name, Create kind) {
  if (kind == Create::kDirectory) return mkdirat(parent, name.c_str(), 0755) == 0 ? 0 : errno;
  int fd = openat(parent, name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return errno;
  UniqueFd created(fd);
  return 0;
}

}  // namespace

std::string clean_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(pos, end - pos);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    pos = end + 1;
  }
  std::string out;
  for (auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

std::vector<std::string> path_components(std::string_view clean) {
  std::vector<std::string> out;
  size_t pos = 1;
  while (pos < clean.size()) {
    size_t end = clean.find('/', pos);
    if (end == std::string_view::npos) end = clean.size();
    out.emplace_back(clean.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

Result<UniqueFd> open_in_root(int root_fd, std::string_view path, int flags) {
  std::string p = clean_path(path);
  // openat2 takes "/" inside the root as the root itself; "." reads better in errors.
  const char* rel = p == "/" ? "." : p.c_str() + 1;
  const int fd = openat2_retrying(root_fd, rel, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) return Error::from_errno("open " + p + " in the rootfs");
  return UniqueFd(fd);
}

namespace {

// The walk of create_in_root(): component by component from the root, each step resolved
// inside it again. A dangling symlink on the way is followed inside the root and its target
// created there.
Result<UniqueFd> create_walking(int root_fd, std::string target, Create last) {
  for (int links = 0; links <= kMaxSymlinks; ++links) {
    auto parts = path_components(target);
    std::string done = "/";
    bool restarted = false;
    for (size_t i = 0; i < parts.size() && !restarted; ++i) {
      std::string next = join(done, parts[i]);
      auto existing = open_in_root(root_fd, next, O_PATH);
      if (existing.ok()) {
        done = next;
        continue;
      }
      if (existing.error().errno_value() != ENOENT) return std::move(existing).error();
      auto parent = open_in_root(root_fd, done, O_PATH | O_DIRECTORY);
      if (!parent.ok()) return std::move(parent).error();
      int rc =
          make_entry(parent->get(), parts[i], i + 1 == parts.size() ? last : Create::kDirectory);
      if (rc == 0) {
        done = next;
        continue;
      }
      if (rc != EEXIST) return Error("create " + next + " in the rootfs", rc);
      // It exists but does not resolve: a dangling symlink. Create its target, inside the root.
      char link_text[PATH_MAX];
      ssize_t n = readlinkat(parent->get(), parts[i].c_str(), link_text, sizeof(link_text) - 1);
      if (n < 0) return Error::from_errno("create " + next + " in the rootfs");
      std::string_view dest(link_text, static_cast<size_t>(n));
      std::string rest = dest.starts_with('/') ? std::string(dest) : join(done, dest);
      for (size_t j = i + 1; j < parts.size(); ++j) rest = join(rest, parts[j]);
      target = clean_path(rest);
      restarted = true;
    }
    if (!restarted) return open_in_root(root_fd, target, O_PATH);
  }
  return Error("create " + target + " in the rootfs", ELOOP);
}

Result<UniqueFd> create_missing(int root_fd, const std::string& target, Create last);

// `target` (clean, missing) created in its parent directory, the parent first if it is missing
// too: one resolution of the parent instead of a walk from the root. EEXIST when the last
// component is there but does not resolve (a dangling symlink): the caller walks instead.
Result<UniqueFd> create_in_parent(int root_fd, const std::string& target, Create last) {
  const size_t slash = target.rfind('/');
  const std::string parent_path = slash == 0 ? std::string("/") : target.substr(0, slash);
  const std::string name = target.substr(slash + 1);
  auto parent = open_in_root(root_fd, parent_path, O_PATH | O_DIRECTORY);
  if (!parent.ok() && parent.error().errno_value() == ENOENT)
    parent = create_missing(root_fd, parent_path, Create::kDirectory);
  if (!parent.ok()) return std::move(parent).error();
  if (int rc = make_entry(parent->get(), name, last); rc != 0)
    return Error("create " + target + " in the rootfs", rc);
  // What was just made, from its parent: never a symlink, never above the parent.
  const int fd = openat2_retrying(parent->get(), name.c_str(), O_PATH,
                                  RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
  if (fd < 0) return Error::from_errno("open " + target + " in the rootfs");
  return UniqueFd(fd);
}

// `target` (clean), known not to resolve: made in its parent, or by the walk where a dangling
// symlink stands in the way.
Result<UniqueFd> create_missing(int root_fd, const std::string& target, Create last) {
  auto made = create_in_parent(root_fd, target, last);
  if (made.ok() || made.error().errno_value() != EEXIST) return made;
  return create_walking(root_fd, target, last);
}

}  // namespace

Result<UniqueFd> create_in_root(int root_fd, std::string_view path, Create last) {
  const std::string target = clean_path(path);
  // Most destinations exist already: one openat2, no walk.
  auto whole = open_in_root(root_fd, target, O_PATH);
  if (whole.ok() || whole.error().errno_value() != ENOENT) return whole;
  return create_missing(root_fd, target, last);
}

std::string fd_path(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

}  // namespace husk::rootfs
