#include "idmap.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

namespace husk::rootfs {
namespace {

// The helper child: ends (killed and reaped) with this guard.
class HelperChild {
 public:
  explicit HelperChild(pid_t pid) : pid_(pid) {}
  HelperChild(const HelperChild&) = delete;
  HelperChild& operator=(const HelperChild&) = delete;
  ~HelperChild() {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }

 private:
  pid_t pid_;
};

Status write_file(const std::string& path, const std::string& text) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno("open " + path);
  if (write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
    return Error::from_errno("write " + path);
  }
  return {};
}

}  // namespace

std::string id_map_text(const std::vector<oci::IdMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings) {
    text += std::to_string(m.container_id) + " " + std::to_string(m.host_id) + " " +
            std::to_string(m.size) + "\n";
  }
  return text;
}

Result<UniqueFd> make_userns(const std::vector<oci::IdMapping>& uid_mappings,
                             const std::vector<oci::IdMapping>& gid_mappings) {
  int to_parent[2];
  int to_child[2];
  if (pipe2(to_parent, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd parent_read(to_parent[0]), child_write(to_parent[1]);
  if (pipe2(to_child, O_CLOEXEC) != 0) return Error::from_errno("pipe");
  UniqueFd child_read(to_child[0]), parent_write(to_child[1]);

  pid_t pid = fork();
  if (pid < 0) return Error::from_errno("fork");
  if (pid == 0) {
    // The child: only async-signal-safe calls. Its pid as the mounted /proc sees it (the
    // caller may be in a new pid namespace under the host's /proc), then the new namespace.
    char self[32] = {0};
    ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
    if (n <= 0 || unshare(CLONE_NEWUSER) != 0) _exit(1);
    if (write(child_write.get(), self, static_cast<size_t>(n)) != n) _exit(1);
    char byte;
    while (read(child_read.get(), &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  HelperChild guard(pid);
  child_write.reset();
  child_read.reset();

  char self[32] = {0};
  ssize_t n = read(parent_read.get(), self, sizeof(self) - 1);
  if (n <= 0) return Error("idmap helper: unshare(CLONE_NEWUSER) failed");
  std::string proc = "/proc/" + std::string(self, static_cast<size_t>(n));
  HUSK_TRY(write_file(proc + "/uid_map", id_map_text(uid_mappings)));
  HUSK_TRY(write_file(proc + "/gid_map", id_map_text(gid_mappings)));
  UniqueFd ns(open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC));
  if (!ns) return Error::from_errno("open " + proc + "/ns/user");
  return ns;
}

}  // namespace husk::rootfs
