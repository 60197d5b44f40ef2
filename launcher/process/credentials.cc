#include "credentials.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

#include "unique_fd.h"

namespace husk::process {
namespace {

// True when /proc/self/setgroups reads "deny" (a user namespace whose gid map was written
// without setgroups permission).
bool setgroups_denied() {
  UniqueFd fd(open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char text[8] = {};
  ssize_t n = read(fd.get(), text, sizeof text - 1);
  return n >= 4 && std::strncmp(text, "deny", 4) == 0;
}

}  // namespace

Result<Credentials> prepare_credentials(const oci::User& user) {
  Credentials credentials;
  credentials.uid = user.uid;
  credentials.gid = user.gid;
  credentials.additional_gids.assign(user.additional_gids.begin(), user.additional_gids.end());
  if (user.umask) {
    if (*user.umask > 0777)
      return Error(".process.user.umask: " + std::to_string(*user.umask) +
                   " is above 0777 (511)");
    credentials.umask = *user.umask;
  }
  return credentials;
}

ApplyFailure apply_credentials(const Credentials& credentials,
                               std::span<const gid_t> image_groups) {
  std::vector<gid_t> gids = credentials.additional_gids;
  for (gid_t gid : image_groups) {
    if (std::find(gids.begin(), gids.end(), gid) == gids.end()) gids.push_back(gid);
  }
  if (setgroups(gids.size(), gids.data()) != 0) {
    const int error = errno;
    if (!(credentials.additional_gids.empty() && error == EPERM && setgroups_denied()))
      return {Stage::kSetgroups, 0, error};
  }
  if (setresgid(credentials.gid, credentials.gid, credentials.gid) != 0)
    return {Stage::kSetgid, 0, errno};
  if (setresuid(credentials.uid, credentials.uid, credentials.uid) != 0)
    return {Stage::kSetuid, 0, errno};
  umask(credentials.umask);
  return ApplyFailure::none();
}

}  // namespace husk::process
