#include "fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <thread>

#include "unique_fd.h"

namespace husk::cgroups::fs {

Result<std::string> read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno("reading " + path);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("reading " + path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

namespace {

Status write_value(int fd, const std::string& path, std::string_view value) {
  ssize_t n;
  do {
    n = ::write(fd, value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n >= 0 && static_cast<size_t>(n) != value.size()) errno = EIO;
  if (n < 0 || static_cast<size_t>(n) != value.size())
    return Error::from_errno("writing " + std::string(value) + " to " + path);
  return {};
}

}  // namespace

Status write_file(const std::string& path, std::string_view value) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return Error::from_errno("writing " + std::string(value) + " to " + path);
  return write_value(fd.get(), path, value);
}

Status Writer::write(const std::string& path, std::string_view value) {
  if (!fd_ || path != path_) {
    fd_.reset(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
    path_ = path;
    if (!fd_) return Error::from_errno("writing " + std::string(value) + " to " + path);
  }
  return write_value(fd_.get(), path, value);
}

Status make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0755) != 0) return Error::from_errno("creating " + path);
  return {};
}

Status remove_dir(const std::string& path) {
  // The kernel refuses while a dying process still counts (EBUSY): back off, about 2 s in all.
  auto delay = std::chrono::milliseconds(1);
  for (int attempt = 0;; ++attempt) {
    if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
    if (errno != EBUSY || attempt == 12) return Error::from_errno("removing " + path);
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(500));
  }
}

Result<std::vector<std::string>> subdirectories(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return Error::from_errno("listing " + path);
  std::vector<std::string> names;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    bool is_dir = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN) {
      struct stat st {};
      is_dir = ::lstat(join(path, name).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (is_dir) names.emplace_back(name);
  }
  ::closedir(dir);
  return names;
}

bool exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

std::string join(std::string_view dir, std::string_view name) {
  std::string path(dir);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  if (name.empty()) return path;
  if (path != "/") path += '/';
  path += name;
  return path;
}

}  // namespace husk::cgroups::fs
