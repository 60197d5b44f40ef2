#include "text_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "unique_fd.h"

namespace husk::launch {

Status write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("write");
    if (n == 0) return Error("write: no progress", EIO);
    text.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status write_text_file(const std::string& path, std::string_view text, int extra_flags,
                       mode_t mode) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | extra_flags, mode));
  if (!fd) return Error::from_errno(path);
  if (auto written = write_all(fd.get(), text); !written.ok())
    return std::move(written).error().context(path);
  return {};
}

Status write_file_atomically(const std::string& path, std::string_view text) {
  size_t slash = path.rfind('/');
  std::string tmp = (slash == std::string::npos ? std::string() : path.substr(0, slash + 1)) + "." +
                    path.substr(slash == std::string::npos ? 0 : slash + 1) + ".tmp";
  if (auto written = write_text_file(tmp, text, O_CREAT | O_TRUNC, 0644); !written.ok()) {
    ::unlink(tmp.c_str());
    return Error(path, written.error().errno_value());
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    Error error = Error::from_errno(path);
    ::unlink(tmp.c_str());
    return error;
  }
  return {};
}

}  // namespace husk::launch
