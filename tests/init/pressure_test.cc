// End-to-end: husk under pressure. Its stderr a full pipe nobody reads (a log collector that
// hangs) must not stop it forwarding signals: lines that do not fit are dropped and counted,
// and the child's stderr keeps its flags. Forwarding failures say why, at most once a second.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "e2e.h"

namespace husk::test {
namespace {

class Pressure : public E2e {};
HUSK_E2E_MODES(Pressure);

// A real-time signal outside every libc's reserved range.
constexpr int kRt = 40;

// Reads what is in `fd` now (non-blocking; `fd` is the test's own read end).
std::string drain(int fd) {
  fcntl(fd, F_SETFL, O_NONBLOCK);
  std::string text;
  char buffer[65536];
  for (ssize_t n; (n = read(fd, buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<size_t>(n));
  return text;
}

// Sends `sig` to `pid` `count` times; a full queue (EAGAIN) is retried.
void send_many(pid_t pid, int sig, int count) {
  for (int i = 0; i < count;) {
    if (kill(pid, sig) == 0) {
      ++i;
    } else if (errno == EAGAIN) {
      std::this_thread::yield();
    } else {
      ADD_FAILURE() << "kill: " << strerror(errno);
      return;
    }
  }
}

// Whether `sig` is pending for `pid` (process-wide or for its main thread).
bool pending(pid_t pid, int sig) {
  for (const char* key : {"ShdPnd", "SigPnd"}) {
    std::string hex = status_field(pid, key);
    if (!hex.empty() && ((std::stoull(hex, nullptr, 16) >> (sig - 1)) & 1) != 0) return true;
  }
  return false;
}

// Waits until neither husk nor its child has `sig` pending: husk has taken it and forwarded
// it, and the child has handled it. False after `timeout_ms`.
bool settled(pid_t husk, pid_t child, int sig, int timeout_ms) {
  const long long deadline = now_ms() + timeout_ms;
  while (pending(husk, sig) || pending(child, sig)) {
    if (now_ms() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

// "usr2 N rt M" from the probe.
void counts(const std::string& out, long& usr2, long& rt) {
  usr2 = rt = -1;
  size_t at = out.find("usr2 ");
  if (at != std::string::npos) std::sscanf(out.c_str() + at, "usr2 %ld rt %ld", &usr2, &rt);
}

// 150,000 SIGUSR2 with husk logging every forward (-vvv) into a full pipe: before, husk blocked
// in its first write and 1 of 150,000 reached the child.
TEST_P(Pressure, SignalStormWithStderrAFullPipe) {
  FullPipe full = full_pipe();
  ASSERT_TRUE(full.write_end);
  UniqueFd& stderr_read = full.read_end;
  UniqueFd& stderr_write = full.write_end;
  SpawnSpec spec;
  spec.args = {"-vvv", "--", probe(), "count", std::to_string(kRt)};
  spec.stderr_fd = stderr_write.get();
  Husk husk = Husk::start(mode(), spec);
  ASSERT_TRUE(husk.wait_for_output("ready ")) << husk.out();
  EXPECT_TRUE(husk.wait_for_output("ready stderr-nonblock=0\n")) << husk.out();

  std::vector<pid_t> children = children_of(husk.pid());
  ASSERT_EQ(children.size(), 1u);
  constexpr int kStorm = 150000;
  constexpr int kBurst = 100;  // standard signals merge while pending: bursts, each taken whole
  constexpr int kQueued = 5000;
  const long long start = now_ms();
  for (int sent = 0; sent < kStorm; sent += kBurst) {
    send_many(husk.pid(), SIGUSR2, kBurst);
    ASSERT_TRUE(settled(husk.pid(), children[0], SIGUSR2, 5000))
        << "husk stopped forwarding after " << sent + kBurst << " signals\n"
        << husk.out();
  }
  send_many(husk.pid(), kRt, kQueued);  // queued, never merged: each one must arrive
  // While stderr is still full: husk keeps forwarding (before, it hung in its first write, and
  // the signals moved only once someone read the pipe).
  EXPECT_TRUE(husk.wait_for_output("usr2-progress 1000\n", 5000)) << husk.out();
  EXPECT_TRUE(husk.wait_for_output("rt-progress 4500\n", 15000)) << husk.out();
  std::string logged = drain(stderr_read.get());  // room again: the next line reports the drops
  husk.signal(SIGTERM);
  int status = husk.wait(20000);
  const long long took = now_ms() - start;
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << "\n" << husk.out();
  long usr2 = 0, rt = 0;
  counts(husk.out(), usr2, rt);
  // Standard signals merge while pending: at least one delivery per burst.
  EXPECT_GE(usr2, kStorm / kBurst) << husk.out();
  EXPECT_GE(rt, kQueued * 9 / 10) << husk.out();
  logged += drain(stderr_read.get());
  std::smatch notice;
  ASSERT_TRUE(std::regex_search(logged, notice,
                                std::regex("husk: ([0-9]+) log lines dropped: stderr was full\n")))
      << logged.size() << " bytes: " << logged.substr(logged.find_first_not_of('f'), 2000);
  EXPECT_GT(std::stol(notice[1]), 1000);  // at least a line per signal taken while full
  RecordProperty("storm_ms", std::to_string(took));
  RecordProperty("usr2_received", std::to_string(usr2));
  RecordProperty("rt_received", std::to_string(rt));
}

// stderr a pipe nobody will ever read (its read end closed): each log line husk writes fails
// with EPIPE and raises SIGPIPE in husk. That signal is husk's own: the child never gets it.
TEST_P(Pressure, AClosedStderrRaisesNoSigpipeInTheChild) {
  int ends[2];
  ASSERT_EQ(::pipe2(ends, O_CLOEXEC), 0);
  ::close(ends[0]);
  UniqueFd stderr_write(ends[1]);
  SpawnSpec spec;
  spec.args = {"-vvv", "--", "/bin/sh", "-c",
               "trap 'echo got-SIGPIPE' PIPE; for i in 1 2 3 4 5; do sleep 0.1; done; echo done"};
  spec.stderr_fd = stderr_write.get();
  Husk husk = Husk::start(mode(), spec);
  EXPECT_TRUE(husk.wait_for_output("done\n", 10000)) << husk.out();
  int status = husk.wait();
  EXPECT_EQ(husk.out().find("got-SIGPIPE"), std::string::npos) << husk.out();
  EXPECT_EQ(exit_code(status), 0) << describe_status(status);
}

// A queued signal that cannot be queued to the child (EAGAIN) is reported with the reason, at
// most one line a second, and the lines not shown are counted.
TEST_P(Pressure, ForwardingFailuresSayWhyOnceASecond) {
  Husk husk = start({"--", probe(), "count", std::to_string(kRt), "no-queue"});
  ASSERT_TRUE(husk.wait_for_output("ready ")) << husk.out();
  union sigval value {};
  for (int i = 0; i < 2000; ++i) {
    while (sigqueue(husk.pid(), kRt, value) != 0 && errno == EAGAIN) std::this_thread::yield();
  }
  husk.read_for(300);
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0) << husk.out();
  const std::string& err = husk.err();
  const std::string first = "husk: forwarding signal " + std::to_string(kRt) + " to ";
  EXPECT_NE(err.find(first), std::string::npos) << err;
  EXPECT_NE(err.find(" failed: Resource temporarily unavailable"), std::string::npos) << err;
  size_t lines = 0;
  for (size_t at = 0; (at = err.find("husk: forwarding", at)) != std::string::npos; ++at) ++lines;
  EXPECT_LE(lines, 4u) << err;  // 2,000 failures within a second or two
  EXPECT_NE(err.find("not shown"), std::string::npos) << err;  // the failures not shown, counted
}

}  // namespace
}  // namespace husk::test
