// read_file: a whole small regular file (config.json, a sysfs or procfs entry) into a string.
#pragma once

#include <cstddef>
#include <string>

#include "error.h"

namespace husk::oci {

// The most read_file() reads: config.json files of runc's and crun's own tests are below
// 64 KiB; this leaves room for large annotations and seccomp profiles.
inline constexpr size_t kMaxFileSize = size_t{16} << 20;  // 16 MiB

// Reads `path` if it is a regular file of at most `max_size` bytes. Never blocks on a FIFO and
// never reads a device. Errors read "open PATH" or "read PATH" with the errno, or
// "PATH: not a regular file (a fifo)", "PATH: larger than 16 MiB".
Result<std::string> read_file(const std::string& path, size_t max_size = kMaxFileSize);

}  // namespace husk::oci
