#include "copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "unique_fd.h"

namespace husk::rootfs {
namespace {

struct DirCloser {
  void operator()(DIR* dir) const { closedir(dir); }
};

Status copy_file(int from_dir, int to_dir, const char* name, const struct stat& st) {
  UniqueFd in(openat(from_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!in) return Error::from_errno("open");
  UniqueFd out(openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                      st.st_mode & 07777));
  if (!out) return Error::from_errno("create");
  off_t left = st.st_size;
  while (left > 0) {
    ssize_t n = sendfile(out.get(), in.get(), nullptr, static_cast<size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("copy");
    if (n == 0) break;  // the file shrank meanwhile
    left -= n;
  }
  return {};
}

Status copy_entry(int from_dir, int to_dir, const char* name) {
  struct stat st {};
  if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return Error::from_errno("stat");
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(to_dir, name, 0700) != 0) return Error::from_errno("mkdir");
    UniqueFd sub_from(openat(from_dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    UniqueFd sub_to(openat(to_dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub_from || !sub_to) return Error::from_errno("open");
    HUSK_TRY(copy_tree(sub_from.get(), sub_to.get()));
  } else if (S_ISREG(st.st_mode)) {
    HUSK_TRY(copy_file(from_dir, to_dir, name, st));
  } else if (S_ISLNK(st.st_mode)) {
    char target[PATH_MAX];
    ssize_t n = readlinkat(from_dir, name, target, sizeof(target) - 1);
    if (n < 0) return Error::from_errno("readlink");
    target[n] = '\0';
    if (symlinkat(target, to_dir, name) != 0) return Error::from_errno("symlink");
  } else if (mknodat(to_dir, name, st.st_mode, st.st_rdev) != 0) {
    return Error::from_errno("mknod");
  }
  // Owner first (chown clears set-id bits), then the mode, then the times.
  if (fchownat(to_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0) {
    return Error::from_errno("chown");
  }
  if (!S_ISLNK(st.st_mode) && fchmodat(to_dir, name, st.st_mode & 07777, 0) != 0) {
    return Error::from_errno("chmod");
  }
  struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (utimensat(to_dir, name, times, AT_SYMLINK_NOFOLLOW) != 0) return Error::from_errno("utime");
  return {};
}

}  // namespace

Status copy_tree(int from_dir, int to_dir) {
  int listing = openat(from_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing < 0) return Error::from_errno("open");
  std::unique_ptr<DIR, DirCloser> dir(fdopendir(listing));
  if (!dir) {
    UniqueFd close_it(listing);
    return Error::from_errno("opendir");
  }
  while (dirent* entry = readdir(dir.get())) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    HUSK_TRY_CTX(copy_entry(from_dir, to_dir, entry->d_name), name);
  }
  return {};
}

}  // namespace husk::rootfs
