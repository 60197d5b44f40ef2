#include "tree.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "dirent64.h"
#include "unique_fd.h"

namespace husk {
namespace {

constexpr int kMaxDepth = 4096;  // bounds the ancestor walk, whatever /proc says

// A decimal pid, or -1 for anything else.
pid_t parse_pid(const char* text) {
  if (*text == '\0') return -1;
  long value = 0;
  for (; *text != '\0'; ++text) {
    if (*text < '0' || *text > '9' || value > 4194304) return -1;
    value = value * 10 + (*text - '0');
  }
  return static_cast<pid_t>(value);
}

bool is_descendant(pid_t pid, pid_t self) {
  for (int depth = 0; depth < kMaxDepth && pid > 1; ++depth) {
    pid_t parent = read_parent_pid(pid);
    if (parent == self) return true;
    pid = parent;
  }
  return false;
}

}  // namespace

pid_t read_parent_pid(pid_t pid) {
  char path[32] = "/proc/";
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + pid % 10);
    pid /= 10;
  } while (pid > 0);
  char* p = path + 6;
  while (n > 0) *p++ = digits[--n];
  std::memcpy(p, "/stat", 6);

  UniqueFd fd(open(path, O_RDONLY | O_CLOEXEC));
  if (!fd) return -1;
  char stat[512];
  ssize_t size = read(fd.get(), stat, sizeof stat - 1);
  if (size <= 0) return -1;
  stat[size] = '\0';
  // "PID (COMM) STATE PPID ...": COMM may hold anything, so look after the last ')'.
  const char* close = std::strrchr(stat, ')');
  if (close == nullptr || close[1] != ' ' || close[2] == '\0' || close[3] != ' ') return -1;
  long parent = 0;
  for (const char* c = close + 4; *c >= '0' && *c <= '9'; ++c) parent = parent * 10 + (*c - '0');
  return static_cast<pid_t>(parent);
}

int signal_tree(bool pid1, int sig) {
  if (pid1) return kill(-1, sig) == 0 ? 1 : 0;

  UniqueFd proc(open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!proc) return -1;
  const pid_t self = getpid();
  // A /proc mounted for another pid namespace numbers processes differently: walking it could
  // signal strangers. Only walk one in which /proc/self is husk's own pid.
  char self_link[16] = {};
  if (readlink("/proc/self", self_link, sizeof self_link - 1) <= 0 ||
      parse_pid(self_link) != self) {
    return -1;
  }
  int signalled = 0;
  alignas(8) char buffer[4096];
  for (;;) {
    long size = syscall(SYS_getdents64, proc.get(), buffer, sizeof buffer);
    if (size < 0 && errno == EINTR) continue;
    if (size <= 0) break;
    for (long offset = 0; offset < size;) {
      const auto* entry = reinterpret_cast<const LinuxDirent64*>(buffer + offset);
      offset += entry->d_reclen;
      pid_t pid = parse_pid(entry->d_name);
      if (pid <= 1 || pid == self || !is_descendant(pid, self)) continue;
      if (kill(pid, sig) == 0) ++signalled;
    }
  }
  return signalled;
}

}  // namespace husk
