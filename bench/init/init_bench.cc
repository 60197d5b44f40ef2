// init_bench: runs one workload under a given init, as PID 1 of a new pid namespace, and prints
// the median. Used by compare.sh to put husk, tini, dumb-init and catatonit side by side.
//
//   init_bench overhead RUNS INIT...       wall time of `INIT /bin/true`, microseconds
//   init_bench rss RUNS INIT...            VmRSS of the idle init, KiB
//   init_bench reap N RUNS INIT...         N orphans that arrive as zombies: "WALL CPU", ms
//
// reap: the probe's intermediate parent holds its N zombie children until init_bench writes a
// byte to the probe's stdin; the clock starts there (the hand-over, then the reaping) and stops
// when the init has no child left but the probe (/proc/PID/task/PID/children, polled every
// 100 µs, reading only its first entries). CPU is what the init itself ran meanwhile, user and
// system (sum_exec_runtime from /proc/PID/schedstat): other load on the machine hardly moves it.
//   init_bench forward RUNS INIT...        SIGUSR1 to the init until the child has it,
//   microseconds;
//                                          init_bench, the init and its child on one CPU (the
//                                          first it may use): a wake-up that crosses to an idle
//                                          vCPU costs a VM hundreds of µs, and where each process
//                                          landed would decide the figure rather than the init
//   init_bench reap-waves WAVES N RUNS INIT...   WAVES waves of N orphans, one after the other
//                                          (more in all than pid_max allows at a time): "WALL
//                                          CPU", ms, from the init's start until the last is
//                                          reaped; the wall time is mostly the probe's forks, the
//                                          init's CPU is its reaping
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

// This process, and what it starts from now on, on the first CPU it may run on.
void pin_to_one_cpu() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (!CPU_ISSET(cpu, &allowed)) continue;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    (void)sched_setaffinity(0, sizeof one, &one);
    return;
  }
}

long long now_us() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

struct Started {
  pid_t pid = -1;
  int out = -1;  // the child's stdout
  int in = -1;   // the child's stdin, when asked for
};

struct CloneArgs {
  char** argv;
  int in;
  int out;
};

int exec_in_namespace(void* arg) {
  auto* a = static_cast<CloneArgs*>(arg);
  int null = open("/dev/null", O_RDWR);
  dup2(a->in >= 0 ? a->in : null, 0);
  dup2(a->out >= 0 ? a->out : null, 1);
  dup2(null, 2);
  execv(a->argv[0], a->argv);
  _exit(127);
}

// Starts `argv` as PID 1 of a new pid namespace; with `feed`, its stdin is a pipe from here.
Started start(std::vector<std::string> argv, bool capture, bool feed = false) {
  std::vector<char*> raw;
  for (std::string& s : argv) raw.push_back(s.data());
  raw.push_back(nullptr);
  int fds[2] = {-1, -1};
  if (capture && pipe2(fds, O_CLOEXEC) != 0) return {};
  int in[2] = {-1, -1};
  if (feed && pipe2(in, O_CLOEXEC) != 0) return {};
  CloneArgs args{raw.data(), in[0], fds[1]};
  static std::vector<char> stack(256 * 1024);
  Started s;
  s.pid = clone(exec_in_namespace, stack.data() + stack.size(), CLONE_NEWPID | SIGCHLD, &args);
  if (capture) close(fds[1]);
  if (feed) close(in[0]);
  s.out = fds[0];
  s.in = in[1];
  return s;
}

void finish(Started& s) {
  kill(s.pid, SIGKILL);  // the init this tool started; its namespace goes with it
  waitpid(s.pid, nullptr, 0);
  if (s.out >= 0) close(s.out);
  if (s.in >= 0) close(s.in);
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

// Whether the init has a child besides the probe: reads only the head of its children list, so
// that a poll costs the same with 10,000 children as with one.
bool has_second_child(int children_fd) {
  char head[64];
  ssize_t n = pread(children_fd, head, sizeof head, 0);
  int words = 0;
  for (ssize_t i = 0; i < n; ++i) {
    if (head[i] == ' ' && ++words == 2) return true;
  }
  return false;
}

// CPU time the process has run, user and system, in nanoseconds (-1 when unreadable).
long long cpu_ns(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/schedstat");
  long long ns = -1;
  in >> ns;
  return ns;
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
                 "usage: init_bench overhead|rss|forward RUNS INIT... | reap N RUNS INIT... | "
                 "reap-waves WAVES N RUNS INIT...\n");
    return 2;
  }
  std::string workload = argv[1];
  int first = workload == "reap" ? 4 : workload == "reap-waves" ? 5 : 3;
  if (argc <= first) return 2;
  long count = first > 3 ? std::atol(argv[2]) : 0;
  long per_wave = first > 4 ? std::atol(argv[3]) : 0;
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
    if (workload == "forward") pin_to_one_cpu();
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
    std::vector<double> cpu;
    for (int i = 0; i < runs; ++i) {
      Started s =
          start(with(init, {probe(), "orphans", std::to_string(count), "0", "held"}), true, true);
      std::string out;
      std::string task = "/proc/" + std::to_string(s.pid) + "/task/" + std::to_string(s.pid);
      int children_fd = open((task + "/children").c_str(), O_RDONLY | O_CLOEXEC);
      if (children_fd < 0 || !read_until(s.out, out, "zombies ", 600000)) {
        finish(s);
        return 1;
      }
      long long cpu0 = cpu_ns(s.pid);
      long long t0 = now_us();
      if (write(s.in, "g", 1) != 1 || !read_until(s.out, out, "orphans ", 600000)) {
        finish(s);
        return 1;
      }
      while (has_second_child(children_fd)) usleep(100);
      samples.push_back((now_us() - t0) / 1000.0);
      usleep(2000);  // the init's last wait and its return to sleep
      cpu.push_back((cpu_ns(s.pid) - cpu0) / 1e6);
      close(children_fd);
      finish(s);
    }
    std::printf("%.2f %.3f\n", median(samples), median(cpu));
    return 0;
  } else if (workload == "reap-waves") {
    std::vector<double> cpu;
    const std::string total = std::to_string(count * per_wave);
    for (int i = 0; i < runs; ++i) {
      long long t0 = now_us();
      Started s = start(
          with(init, {probe(), "orphan-waves", std::to_string(count), std::to_string(per_wave)}),
          true);
      std::string out;
      std::string task = "/proc/" + std::to_string(s.pid) + "/task/" + std::to_string(s.pid);
      int children_fd = open((task + "/children").c_str(), O_RDONLY | O_CLOEXEC);
      if (children_fd < 0 || !read_until(s.out, out, "orphans " + total + "\n", 600000)) {
        finish(s);
        return 1;
      }
      while (has_second_child(children_fd)) usleep(100);
      samples.push_back((now_us() - t0) / 1000.0);
      usleep(2000);  // the init's last wait and its return to sleep
      cpu.push_back(cpu_ns(s.pid) / 1e6);
      close(children_fd);
      finish(s);
    }
    std::printf("%.2f %.3f\n", median(samples), median(cpu));
    return 0;
  } else {
    return 2;
  }
  std::printf("%.1f\n", median(samples));
  return 0;
}
