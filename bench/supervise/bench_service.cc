// bench_service: the service every supervisor runs in bench/supervise/compare.py, as the `run`
// file of each service directory (a symlink to this binary): its name is that directory's. On
// start it appends "start NAME PID NS" (CLOCK_MONOTONIC) to $BENCH_LOG; on SIGUSR1 it appends
// "crash NAME PID NS" and exits 1 (a crash); on SIGTERM it exits 0. It sleeps in sigwaitinfo
// otherwise: no wake-ups of its own.
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// DIR of DIR/run, from argv[0] as given (relative to the cwd when it is relative).
std::string service_name(const char* argv0) {
  std::string path = argv0;
  if (path.rfind("./", 0) == 0) path.erase(0, 2);
  if (path[0] != '/') {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == nullptr) return "?";
    path = std::string(cwd) + "/" + path;
  }
  std::size_t slash = path.rfind('/');
  std::string dir = path.substr(0, slash);
  return dir.substr(dir.rfind('/') + 1);
}

void note(int fd, const std::string& name, const char* what) {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  char line[96];
  int n = std::snprintf(line, sizeof line, "%s %s %d %lld\n", what, name.c_str(),
                        static_cast<int>(getpid()),
                        static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec);
  if (write(fd, line, static_cast<size_t>(n)) != n) _exit(2);
}

}  // namespace

int main(int, char** argv) {
  const char* log = std::getenv("BENCH_LOG");
  if (log == nullptr) {
    std::fputs("bench_service: BENCH_LOG is not set\n", stderr);
    return 2;
  }
  const std::string name = service_name(argv[0]);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigaddset(&set, SIGTERM);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return 2;
  note(fd, name, "start");
  for (;;) {
    int sig = sigwaitinfo(&set, nullptr);
    if (sig == SIGUSR1) {
      note(fd, name, "crash");
      return 1;
    }
    if (sig == SIGTERM) return 0;
  }
}
