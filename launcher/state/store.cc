#include "state/store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

#include "json_text.h"

namespace husk::launch {
namespace {

constexpr std::string_view kRecordFile = "state.json";

Result<UniqueFd> lock_dir(const std::string& path, bool lock = true) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd) return Error::from_errno("opening state directory " + path);
  while (lock && ::flock(fd.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return Error::from_errno("locking state directory " + path);
  }
  return fd;
}

// The state root and any folder missing above it (0700), as runc does: containerd's shim
// passes ROOT/NAMESPACE before the namespace's first container.
Status make_root(const std::string& root) {
  for (size_t slash = root.find('/', 1);; slash = root.find('/', slash + 1)) {
    std::string dir = root.substr(0, slash);
    if (!dir.empty() && ::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return Error::from_errno("creating state root " + dir);
    if (slash == std::string::npos) return {};
  }
}

}  // namespace

Result<StateDir> StateDir::create(const std::string& root, const std::string& id) {
  HUSK_TRY(validate_id(id));
  HUSK_TRY(make_root(root));
  std::string path = root + "/" + id;
  if (::mkdir(path.c_str(), 0700) != 0) {
    if (errno == EEXIST) return Error("container " + id + " already exists (" + path + ")", 0);
    return Error::from_errno("creating state directory " + path);
  }
  auto fd = lock_dir(path);
  if (!fd.ok()) {
    ::rmdir(path.c_str());
    return std::move(fd).error();
  }
  return StateDir(std::move(path), id, std::move(*fd), true);
}

bool StateDir::exists(const std::string& root, const std::string& id) {
  struct stat st {};
  return validate_id(id).ok() && ::stat((root + "/" + id).c_str(), &st) == 0;
}

Result<StateDir> StateDir::open(const std::string& root, const std::string& id) {
  return open_dir(root, id, true);
}

Result<StateDir> StateDir::open_unlocked(const std::string& root, const std::string& id) {
  return open_dir(root, id, false);
}

Result<StateDir> StateDir::open_dir(const std::string& root, const std::string& id, bool lock) {
  HUSK_TRY(validate_id(id));
  std::string path = root + "/" + id;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Error("container " + id + " does not exist");
    return Error::from_errno("state directory " + path);
  }
  auto fd = lock_dir(path, lock);
  if (!fd.ok()) {
    if (fd.error().errno_value() == ENOENT) return Error("container " + id + " does not exist");
    return std::move(fd).error();
  }
  // Deleted while we waited for the lock: the directory is gone from its parent.
  if (::fstat(fd->get(), &st) != 0 || st.st_nlink == 0)
    return Error("container " + id + " does not exist");
  return StateDir(std::move(path), id, std::move(*fd), false);
}

StateDir::StateDir(StateDir&& other) noexcept
    : path_(std::move(other.path_)),
      id_(std::move(other.id_)),
      fd_(std::move(other.fd_)),
      remove_on_drop_(other.remove_on_drop_) {
  other.path_.clear();
  other.remove_on_drop_ = false;
}

StateDir::~StateDir() {
  if (remove_on_drop_) (void)remove();
}

void StateDir::unlock() {
  if (fd_) ::flock(fd_.get(), LOCK_UN);
}

bool StateDir::locked_elsewhere() const {
  if (::flock(fd_.get(), LOCK_SH | LOCK_NB) != 0) return errno == EWOULDBLOCK;
  ::flock(fd_.get(), LOCK_UN);
  return false;
}

Status StateDir::write_file(std::string_view name, std::string_view text) const {
  std::string tmp = path_ + "/." + std::string(name);
  std::string final_path = path_ + "/" + std::string(name);
  UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd) return Error::from_errno("writing " + tmp);
  while (!text.empty()) {
    ssize_t n = ::write(fd.get(), text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return Error::from_errno("writing " + tmp);
    text.remove_prefix(static_cast<size_t>(n));
  }
  fd.reset();
  // The new record is exchanged with the old one, which then goes: a rename over an existing
  // file makes ext4 (auto_da_alloc) start writing the new one to disk, and the unlink at delete
  // then waits for that write, milliseconds where /run is not a tmpfs. Readers see either.
  if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, final_path.c_str(), RENAME_EXCHANGE) == 0) {
    ::unlink(tmp.c_str());
    return {};
  }
  // ENOENT: the first record; EINVAL: a filesystem without exchange.
  if ((errno != ENOENT && errno != EINVAL) || ::rename(tmp.c_str(), final_path.c_str()) != 0)
    return Error::from_errno("renaming " + tmp + " to " + final_path);
  return {};
}

Result<std::string> StateDir::read_file(std::string_view name) const {
  std::string path = path_ + "/" + std::string(name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd) return Error::from_errno(path);
  std::string text;
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno(path);
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

std::string StateDir::short_path(std::string_view name) const {
  return "/proc/self/fd/" + std::to_string(fd_.get()) + "/" + std::string(name);
}

Status StateDir::write(const Record& record) const {
  std::string text = record_json(record);
  // JSON holds UTF-8 only: a path of other bytes could be written but never read back.
  if (!is_utf8(text))
    return Error("state.json: a path in the record (the bundle's, or a cgroup's) is not UTF-8");
  return write_file(kRecordFile, text);
}

bool StateDir::has_record() const {
  return ::faccessat(fd_.get(), std::string(kRecordFile).c_str(), F_OK, 0) == 0;
}

Result<Record> StateDir::read() const {
  auto text = read_file(kRecordFile);
  if (!text.ok()) {
    if (text.error().errno_value() == ENOENT)
      return Error("container " + id_ +
                   " has no state yet (being created, or left by a killed "
                   "launch create: delete --force removes it)");
    return std::move(text).error();
  }
  auto record = parse_record(*text);
  if (!record.ok()) return std::move(record).error().context(path_);
  return record;
}

Status StateDir::remove() {
  if (path_.empty()) return {};
  DIR* dir = ::opendir(path_.c_str());
  if (dir != nullptr) {
    while (dirent* entry = ::readdir(dir)) {
      std::string_view name = entry->d_name;
      if (name == "." || name == "..") continue;
      std::string file = path_ + "/" + std::string(name);
      if (::unlink(file.c_str()) != 0 && errno != ENOENT) {
        ::closedir(dir);
        return Error::from_errno("removing " + file);
      }
    }
    ::closedir(dir);
  }
  if (::rmdir(path_.c_str()) != 0 && errno != ENOENT)
    return Error::from_errno("removing state directory " + path_);
  path_.clear();
  remove_on_drop_ = false;
  return {};
}

Result<std::vector<std::string>> list_ids(const std::string& root) {
  std::vector<std::string> ids;
  DIR* dir = ::opendir(root.c_str());
  if (dir == nullptr) {
    if (errno == ENOENT) return ids;
    return Error::from_errno("listing " + root);
  }
  while (dirent* entry = ::readdir(dir)) {
    std::string name = entry->d_name;
    if (validate_id(name).ok() && entry->d_type == DT_DIR) ids.push_back(std::move(name));
  }
  ::closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace husk::launch
