#include "image_user.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>

#include "unique_fd.h"

namespace husk::process {
namespace {

constexpr off_t kMaxFileSize = 1 << 20;

// Splits `line` at ':' into at most `N` fields; false when it has fewer.
template <size_t N>
bool split_fields(std::string_view line, std::string_view (&fields)[N]) {
  for (size_t i = 0; i < N; ++i) {
    size_t colon = i + 1 < N ? line.find(':') : std::string_view::npos;
    if (colon == std::string_view::npos && i + 1 < N) return false;
    fields[i] = line.substr(0, colon);
    line.remove_prefix(colon == std::string_view::npos ? line.size() : colon + 1);
  }
  return true;
}

template <typename Id>
bool parse_id(std::string_view text, Id& id) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Calls `line_fn` for each line that is neither empty nor a comment.
template <typename Fn>
void for_each_line(std::string_view text, Fn line_fn) {
  while (!text.empty()) {
    size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.front() != '#') line_fn(line);
  }
}

std::string read_regular_file(const char* path) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > kMaxFileSize)
    return {};
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t filled = 0;
  while (filled < text.size()) {
    ssize_t n = ::read(fd.get(), text.data() + filled, text.size() - filled);
    if (n <= 0) break;
    filled += static_cast<size_t>(n);
  }
  text.resize(filled);
  return text;
}

}  // namespace

void apply_passwd(std::string_view passwd, uid_t uid, ImageUser& user) {
  bool found = false;
  for_each_line(passwd, [&](std::string_view line) {
    std::string_view f[7];  // name:password:uid:gid:gecos:home:shell
    uid_t entry_uid = 0;
    if (found || !split_fields(line, f) || !parse_id(f[2], entry_uid) || entry_uid != uid) return;
    found = true;
    user.name = f[0];
    if (!f[5].empty()) user.home = f[5];
  });
}

void apply_group(std::string_view group, ImageUser& user) {
  if (user.name.empty()) return;
  for_each_line(group, [&](std::string_view line) {
    std::string_view f[4];  // name:password:gid:member,member
    gid_t gid = 0;
    if (!split_fields(line, f) || !parse_id(f[2], gid)) return;
    std::string_view members = f[3];
    while (!members.empty()) {
      size_t comma = members.find(',');
      if (members.substr(0, comma) == user.name) {
        user.groups.push_back(gid);
        return;
      }
      members.remove_prefix(comma == std::string_view::npos ? members.size() : comma + 1);
    }
  });
}

ImageUser read_image_user(uid_t uid) {
  ImageUser user;
  apply_passwd(read_regular_file("/etc/passwd"), uid, user);
  apply_group(read_regular_file("/etc/group"), user);
  return user;
}

}  // namespace husk::process
