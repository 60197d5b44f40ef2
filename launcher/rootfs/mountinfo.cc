#include "mountinfo.h"

#include <fcntl.h>
#include <unistd.h>

#include "unique_fd.h"

namespace husk::rootfs {
namespace {

std::string unescape(std::string_view field) {
  std::string out;
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      int value = 0;
      for (size_t j = 1; j <= 3; ++j) value = value * 8 + (field[i + j] - '0');
      out += static_cast<char>(value);
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find(sep, pos);
    if (end == std::string_view::npos) end = text.size();
    out.emplace_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> mounts;
  for (const auto& line : split(text, '\n')) {
    // "ID PARENT MAJ:MIN ROOT MOUNT_POINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER_OPTIONS"
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto head = split(std::string_view(line).substr(0, dash), ' ');
    auto tail = split(std::string_view(line).substr(dash + 3), ' ');
    if (head.size() < 5 || tail.size() < 3) continue;
    mounts.push_back(MountInfo{unescape(head[3]), unescape(head[4]), tail[0], tail[2]});
  }
  return mounts;
}

std::string mount_point_of(const std::vector<MountInfo>& mounts, const std::string& path) {
  std::string best = "/";
  for (const auto& m : mounts) {
    const std::string& point = m.mount_point;
    bool holds = path == point || (path.starts_with(point) && path.size() > point.size() &&
                                   (point == "/" || path[point.size()] == '/'));
    if (holds && point.size() > best.size()) best = point;
  }
  return best;
}

std::string read_small_file(const char* path) {
  std::string text;
  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return text;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd.get(), buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
  return text;
}

}  // namespace husk::rootfs
