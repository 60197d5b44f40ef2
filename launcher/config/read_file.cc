#include "read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "unique_fd.h"

namespace husk::oci {
namespace {

std::string file_type(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR:
      return "a directory";
    case S_IFIFO:
      return "a fifo";
    case S_IFCHR:
      return "a character device";
    case S_IFBLK:
      return "a block device";
    case S_IFSOCK:
      return "a socket";
    default:
      return "not a regular file";
  }
}

std::string size_text(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % (size_t{1} << 10) == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

}  // namespace

Result<std::string> read_file(const std::string& path, size_t max_size) {
  // O_NONBLOCK: opening a FIFO for reading would wait for a writer.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd) return Error::from_errno("open " + path);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return Error::from_errno("stat " + path);
  if (!S_ISREG(st.st_mode))
    return Error(path + ": not a regular file (" + file_type(st.st_mode) + ")");
  std::string too_large = path + ": larger than " + size_text(max_size);
  // procfs and sysfs files report size 0: the limit is checked while reading, too.
  if (static_cast<uint64_t>(st.st_size) > max_size) return Error(too_large);
  std::string text;
  char buffer[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
    if (n == 0) return text;
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("read " + path);
    }
    if (text.size() + static_cast<size_t>(n) > max_size) return Error(too_large);
    text.append(buffer, static_cast<size_t>(n));
  }
}

}  // namespace husk::oci
