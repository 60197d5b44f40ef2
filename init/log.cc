#include "log.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace husk {

Message& Message::operator<<(std::string_view text) {
  std::size_t n = text.size();
  if (n > kCapacity - size_) n = kCapacity - size_;
  std::memcpy(buffer_ + size_, text.data(), n);
  size_ += n;
  return *this;
}

Message& Message::operator<<(long long number) {
  char digits[24];
  std::size_t i = sizeof digits;
  unsigned long long magnitude =
      number < 0 ? 0ULL - static_cast<unsigned long long>(number) : number;
  do {
    digits[--i] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (number < 0) digits[--i] = '-';
  return *this << std::string_view(digits + i, sizeof digits - i);
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

void Log::write(Level level, const Message& message) const {
  if (!enabled(level)) return;
  Message line;
  line << "husk: " << message.view() << '\n';
  int saved_errno = errno;
  write_all(STDERR_FILENO, line.view());
  errno = saved_errno;
}

}  // namespace husk
