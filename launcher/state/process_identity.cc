#include "state/process_identity.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string>

namespace husk::launch {

Result<ProcessStat> parse_process_stat(std::string_view text) {
  // "PID (COMM) STATE PPID ...": COMM ends at the last ')'.
  size_t close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size())
    return Error("/proc/PID/stat: unexpected text");
  std::string_view rest = text.substr(close + 2);
  ProcessStat stat;
  stat.state = rest[0];
  // Field 3 is the state; the start time is field 22: 19 more spaces.
  for (int field = 3; field < 22; ++field) {
    size_t space = rest.find(' ');
    if (space == std::string_view::npos) return Error("/proc/PID/stat: too few fields");
    rest.remove_prefix(space + 1);
  }
  auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), stat.start_time);
  if (ec != std::errc() || end == rest.data()) return Error("/proc/PID/stat: bad start time");
  return stat;
}

Result<ProcessStat> read_process_stat(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return Error::from_errno(path);
  char buf[1024];
  ssize_t n = ::read(fd.get(), buf, sizeof buf);
  if (n <= 0) return Error::from_errno(path);
  return parse_process_stat(std::string_view(buf, static_cast<size_t>(n)));
}

Result<ProcessIdentity> identify(pid_t pid) {
  auto stat = read_process_stat(pid);
  if (!stat.ok()) return std::move(stat).error();
  return ProcessIdentity{pid, stat->start_time};
}

Result<UniqueFd> open_if_alive(const ProcessIdentity& who) {
  if (who.pid <= 0) return UniqueFd();
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, who.pid, 0)));
  if (!pidfd) {
    if (errno == ESRCH) return UniqueFd();
    return Error::from_errno("pidfd_open " + std::to_string(who.pid));
  }
  // Checked after the pidfd is open: if the start time matches now, the pidfd is that process.
  auto stat = read_process_stat(who.pid);
  if (!stat.ok() || stat->start_time != who.start_time || stat->state == 'Z' ||
      stat->state == 'X')
    return UniqueFd();
  return pidfd;
}

bool alive(const ProcessIdentity& who) {
  auto fd = open_if_alive(who);
  return fd.ok() && fd->valid();
}

bool wait_exit(int pidfd, int timeout_ms) {
  pollfd fds{pidfd, POLLIN, 0};
  for (;;) {
    int ready = ::poll(&fds, 1, timeout_ms);
    if (ready > 0) return true;
    if (ready == 0) return false;
    if (errno != EINTR) return false;
  }
}

}  // namespace husk::launch
