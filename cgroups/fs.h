// fs: the few file operations the library makes on cgroupfs, each O_CLOEXEC, each failure an
// Error carrying errno.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "unique_fd.h"

namespace husk::cgroups::fs {

// The whole file; the error names the path.
Result<std::string> read_file(const std::string& path);

// One write(2) of `value` (a cgroup file takes one value per write).
Status write_file(const std::string& path, std::string_view value);

// One write(2) of each value, keeping the last file open: consecutive writes to one file (a
// device rule each) open it once.
class Writer {
 public:
  Status write(const std::string& path, std::string_view value);

 private:
  std::string path_;
  UniqueFd fd_;
};

// Creates `path` (one level). Ok when it was created; EEXIST comes back as an error too.
Status make_dir(const std::string& path);

// Removes an empty cgroup directory, retrying while its last processes exit (EBUSY).
// A directory that is already gone is not an error.
Status remove_dir(const std::string& path);

// The names of the subdirectories of `path` (not following links).
Result<std::vector<std::string>> subdirectories(const std::string& path);

bool exists(const std::string& path);

// "a/b" + "c" with one slash.
std::string join(std::string_view dir, std::string_view name);

}  // namespace husk::cgroups::fs
