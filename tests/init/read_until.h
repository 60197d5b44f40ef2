// Reading a child's output until a line shows up, with a timeout. Header-only: shared by the
// end-to-end harness and bench/init/init_bench.
#pragma once

#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <string>

namespace husk::test {

inline long long monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

// Reads `fd` into `text` until `text` contains `needle` (true), EOF or `timeout_ms` (false).
inline bool read_until(int fd, std::string& text, const std::string& needle, int timeout_ms) {
  const long long deadline = monotonic_ms() + timeout_ms;
  while (text.find(needle) == std::string::npos) {
    long long left = deadline - monotonic_ms();
    if (left <= 0) return false;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buffer[4096];
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n <= 0) return false;
    text.append(buffer, n);
  }
  return true;
}

}  // namespace husk::test
