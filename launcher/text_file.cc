#include "text_file.h"

#include <unistd.h>

#include <cerrno>

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

}  // namespace husk::launch
