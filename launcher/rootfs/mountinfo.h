// mountinfo: reading /proc files and parsing /proc/self/mountinfo into plain data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace husk::rootfs {

struct MountInfo {
  std::string root;         // the mount's root inside its filesystem
  std::string mount_point;  // unescaped ("\040" is a space)
  std::string fstype;
  std::string super_options;
};

std::vector<MountInfo> parse_mountinfo(std::string_view text);

// The mount point of the mount that holds `path` (absolute, no symlinks): the longest mount
// point that is `path` or one of its parent directories.
std::string mount_point_of(const std::vector<MountInfo>& mounts, const std::string& path);

// `text` cut at each `sep`.
std::vector<std::string> split(std::string_view text, char sep);

// The whole of a small file ("" when it cannot be read).
std::string read_small_file(const char* path);

}  // namespace husk::rootfs
