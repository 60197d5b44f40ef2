// Google Benchmark targets for husk: option parsing and signal-name lookup (in process), and the
// cost of running a command under the built husk and of forwarding a signal through it.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

#include "options.h"
#include "signals.h"

namespace {

std::string env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

pid_t spawn(std::vector<std::string> args, int out_fd) {
  pid_t pid = fork();
  if (pid == 0) {
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (out_fd >= 0) dup2(out_fd, 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

void BM_ParseOptions(benchmark::State& state) {
  std::vector<std::string> args = {"husk", "-g",  "-t", "2.5",          "-r",    "TERM:QUIT",
                                   "-e",   "143", "--", "/usr/bin/app", "--flag"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {const_cast<char*>("TINI_SUBREAPER="), nullptr};
  for (auto _ : state) {
    husk::ParseResult r = husk::parse_options(static_cast<int>(args.size()), argv.data(), envp);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_ParseOptions);

void BM_ParseSignalName(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(husk::parse_signal("SIGRTMIN+3"));
    benchmark::DoNotOptimize(husk::parse_signal("winch"));
  }
}
BENCHMARK(BM_ParseSignalName);

// fork + exec of `husk -- /bin/true` (a subreaper here) until it is reaped.
void BM_HuskTrue(benchmark::State& state) {
  const std::string husk = env("HUSK_BIN");
  for (auto _ : state) {
    pid_t pid = spawn({husk, "--", "/bin/true"}, -1);
    waitpid(pid, nullptr, 0);
  }
}
BENCHMARK(BM_HuskTrue)->Unit(benchmark::kMicrosecond);

// SIGUSR1 sent to husk until the probe under it has written that it got it.
void BM_ForwardLatency(benchmark::State& state) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return state.SkipWithError("pipe");
  pid_t pid = spawn({env("HUSK_BIN"), "--", env("HUSK_PROBE"), "signals"}, fds[1]);
  close(fds[1]);
  std::string out;
  char buffer[256];
  while (out.find("ready\n") == std::string::npos) {
    ssize_t n = read(fds[0], buffer, sizeof buffer);
    if (n <= 0) return state.SkipWithError("probe did not start");
    out.append(buffer, n);
  }
  for (auto _ : state) {
    kill(pid, SIGUSR1);
    ssize_t n = read(fds[0], buffer, sizeof buffer);  // "sig 10\n"
    benchmark::DoNotOptimize(n);
  }
  kill(pid, SIGTERM);
  waitpid(pid, nullptr, 0);
  close(fds[0]);
}
BENCHMARK(BM_ForwardLatency)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
