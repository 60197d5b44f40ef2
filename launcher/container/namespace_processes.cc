#include "container/namespace_processes.h"

#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <string_view>

#include "read_file.h"

namespace husk::launch {
namespace {

// Whether `pid` is PID 1 of the innermost pid namespace it is in: its last NSpid field is 1.
Result<bool> first_of_its_namespace(pid_t pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/status";
  auto text = oci::read_file(path);
  if (!text.ok()) return std::move(text).error();
  const size_t start = text->find("\nNSpid:");
  if (start == std::string::npos) return Error(path + ": no NSpid line");
  std::string_view line = std::string_view(*text).substr(start + 7);
  line = line.substr(0, line.find('\n'));
  line = line.substr(0, line.find_last_not_of(" \t") + 1);
  const size_t last = line.find_last_of(" \t");
  const size_t first = line.find_first_not_of(" \t");
  if (last == std::string_view::npos || first == std::string_view::npos || first > last)
    return false;  // a single pid: the host's pid namespace
  return line.substr(last + 1) == "1";
}

bool exited(int pidfd) { return wait_exit(pidfd, 0); }

}  // namespace

ino_t pid_namespace(const std::string& pid) {
  struct stat st {};
  if (::stat(("/proc/" + pid + "/ns/pid").c_str(), &st) != 0) return 0;
  return st.st_ino;
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") == std::string::npos) pids.push_back(std::stoi(name));
  }
  std::sort(pids.begin(), pids.end());
  return pids;
}

Status signal_namespace_processes(const std::string& id, const ProcessIdentity& init, int signal) {
  auto init_fd = open_if_alive(init);
  if (!init_fd.ok()) return std::move(init_fd).error();
  if (!init_fd->valid()) return {};  // the namespace ended with its PID 1
  auto own = first_of_its_namespace(init.pid);
  if (!own.ok()) return std::move(own).error().context("container " + id);
  if (!*own)
    return Error("container " + id +
                 " has no cgroup and no pid namespace of its own: kill --all cannot tell its "
                 "processes from others");
  const ino_t ns = pid_namespace(std::to_string(init.pid));
  // Read while the init ran: the namespace is the container's, not a recycled pid's.
  if (ns == 0 || exited(init_fd->get())) return {};

  std::vector<UniqueFd> members;
  for (pid_t pid : all_pids()) {
    if (pid == init.pid) continue;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    if (!pidfd) continue;  // gone already
    // Read after the pidfd is open: if the process still runs, this was its namespace.
    if (pid_namespace(std::to_string(pid)) == ns && !exited(pidfd.get()))
      members.push_back(std::move(pidfd));
  }
  members.push_back(std::move(*init_fd));  // last: the namespace ends with it
  for (const UniqueFd& member : members) {
    if (::syscall(SYS_pidfd_send_signal, member.get(), signal, nullptr, 0) != 0 && errno != ESRCH)
      return Error::from_errno("container " + id + ": signalling its processes");
  }
  return {};
}

}  // namespace husk::launch
