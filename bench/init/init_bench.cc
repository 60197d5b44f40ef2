// init_bench: runs one workload under a given init, as PID 1 of a new pid namespace, and prints
// the median. Used by compare.sh to put husk, tini, dumb-init and catatonit side by side.
//
//   init_bench overhead RUNS INIT...       wall time of `INIT /bin/true`, microseconds
//   init_bench rss RUNS INIT...            VmRSS of the idle init, KiB
//   init_bench reap N RUNS INIT...         time to reap N orphans that arrive as zombies, ms
//   init_bench forward RUNS INIT...        SIGUSR1 to the init until the child has it, microseconds
//
// INIT is the init's command line up to (and including) its "--" where it takes one; the
// workload's command is appended. HUSK_PROBE names the probe program of tests/init.
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "read_until.h"

namespace {

using husk::test::read_until;

long long now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

struct Started {
  pid_t pid = -1;
  int out = -1;  // the child's stdout
};

struct CloneArgs {
  char** argv;
  int out;
};

int exec_in_namespace(void* arg) {
  auto* a = static_cast<CloneArgs*>(arg);
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(a->out >= 0 ? a->out : null, 1);
  dup2(null, 2);
  execv(a->argv[0], a->argv);
  _exit(127);
}

// Starts `argv` as PID 1 of a new pid namespace.
Started start(std::vector<std::string> argv, bool capture) {
  std::vector<char*> raw;
  for (std::string& s : argv) raw.push_back(s.data());
  raw.push_back(nullptr);
  int fds[2] = {-1, -1};
  if (capture && pipe2(fds, O_CLOEXEC) != 0) return {};
  CloneArgs args{raw.data(), fds[1]};
  static std::vector<char> stack(256 * 1024);
  Started s;
  s.pid = clone(exec_in_namespace, stack.data() + stack.size(), CLONE_NEWPID | SIGCHLD, &args);
  if (capture) close(fds[1]);
  s.out = fds[0];
  return s;
}

void finish(Started& s) {
  kill(s.pid, SIGKILL);  // the init this tool started; its namespace goes with it
  waitpid(s.pid, nullptr, 0);
  if (s.out >= 0) close(s.out);
}

double median(std::vector<double> v) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::vector<std::string> with(std::vector<std::string> init, std::vector<std::string> command) {
  init.insert(init.end(), command.begin(), command.end());
  return init;
}

std::string probe() {
  const char* p = std::getenv("HUSK_PROBE");
  return p ? p : "husk_probe";
}

size_t children(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children");
  size_t n = 0;
  for (std::string word; in >> word;) ++n;
  return n;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr,
                 "usage: init_bench overhead|rss|forward RUNS INIT... | reap N RUNS INIT...\n");
    return 2;
  }
  std::string workload = argv[1];
  int first = workload == "reap" ? 4 : 3;
  long count = workload == "reap" ? std::atol(argv[2]) : 0;
  int runs = std::atoi(argv[first - 1]);
  std::vector<std::string> init(argv + first, argv + argc);
  std::vector<double> samples;

  if (workload == "overhead") {
    for (int i = 0; i < runs; ++i) {
      long long t0 = now_us();
      Started s = start(with(init, {"/bin/true"}), false);
      waitpid(s.pid, nullptr, 0);
      samples.push_back(static_cast<double>(now_us() - t0));
    }
  } else if (workload == "rss" || workload == "forward") {
    for (int i = 0; i < runs; ++i) {
      Started s = start(with(init, {probe(), "signals"}), true);
      std::string out;
      if (!read_until(s.out, out, "ready\n", 20000)) {
        finish(s);
        return 1;
      }
      if (workload == "rss") {
        samples.push_back(static_cast<double>(rss_kib(s.pid)));
      } else {
        for (int j = 0; j < 50; ++j) {  // 50 round trips per started init
          out.clear();
          long long t0 = now_us();
          kill(s.pid, SIGUSR1);
          if (!read_until(s.out, out, "sig 10\n", 5000)) break;
          samples.push_back(static_cast<double>(now_us() - t0));
        }
      }
      finish(s);
    }
  } else if (workload == "reap") {
    for (int i = 0; i < runs; ++i) {
      Started s = start(with(init, {probe(), "orphans", std::to_string(count), "0"}), true);
      std::string out;
      if (!read_until(s.out, out, "orphans ", 600000)) {
        finish(s);
        return 1;
      }
      long long t0 = now_us();
      while (children(s.pid) > 1) usleep(500);
      samples.push_back((now_us() - t0) / 1000.0);
      finish(s);
    }
  } else {
    return 2;
  }
  std::printf("%.1f\n", median(samples));
  return 0;
}
