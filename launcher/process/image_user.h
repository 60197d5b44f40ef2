// image_user: what the image's own /etc/passwd and /etc/group say about process.user.uid, as
// runc and crun read them: the home directory (HOME when process.env has none) and the
// supplementary groups whose member list names the user.
//
//   // child, after pivot_root (the container's /etc):
//   process::ImageUser user = process::read_image_user(uid);
//   // user.home: the passwd entry's home, "/" without one; user.groups: the member groups
//
// A missing or unreadable file is no error: an image need not have one (busybox has none), and
// the defaults are then those of a user with no entry.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace husk::process {

struct ImageUser {
  std::string name;  // empty without a passwd entry
  std::string home = "/";
  std::vector<gid_t> groups;  // groups listing `name` as a member, in file order
};

// From the text of a passwd file: the first entry with `uid`, if any.
void apply_passwd(std::string_view passwd, uid_t uid, ImageUser& user);

// From the text of a group file: appends every group whose member list names `user.name`.
void apply_group(std::string_view group, ImageUser& user);

// Both files of the current root, read only when they are regular files (a FIFO planted at
// /etc/passwd cannot block the start) and at most 1 MiB each.
ImageUser read_image_user(uid_t uid);

}  // namespace husk::process
