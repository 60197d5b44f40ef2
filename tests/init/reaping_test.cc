// End-to-end: reaping (10,000 orphans, dead on arrival or dying later; 100,000 in waves), the
// shutdown of the remaining tree when the main child exits (grace period, SIGKILL, setsid daemons,
// -n, nothing outside husk signalled), and pause mode.
#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <dirent.h>

#include <cstdlib>
#include <thread>

#include "e2e.h"

namespace husk::test {
namespace {

class Reaping : public E2e {};
HUSK_E2E_MODES(Reaping);

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Zombies anywhere in /proc whose parent is `parent`.
int zombies_of(pid_t parent) {
  int zombies = 0;
  DIR* dir = opendir("/proc");
  while (dirent* entry = readdir(dir)) {
    pid_t pid = std::atoi(entry->d_name);
    if (pid <= 0 || process_state(pid) != 'Z') continue;
    if (std::atoi(status_field(pid, "PPid").c_str()) == parent) ++zombies;
  }
  closedir(dir);
  return zombies;
}

// Runs the probe in an orphan-making mode under husk, then checks that husk reaps all of them
// (every child but the probe is gone, no zombie is left) and exits cleanly on SIGTERM.
void expect_all_orphans_reaped(Mode mode, std::vector<std::string> args, const std::string& made) {
  SpawnSpec spec;
  spec.args = std::move(args);
  const long long began = now_ms();
  Husk husk = Husk::start(mode, spec);
  ASSERT_TRUE(husk.wait_for_output("ready\n", 240000)) << husk.out() << husk.err();
  ASSERT_NE(husk.out().find("orphans " + made + "\n"), std::string::npos) << husk.out();
  const long long deadline = now_ms() + 30000;
  while (children_of(husk.pid()).size() != 1 && now_ms() < deadline) sleep_ms(20);
  EXPECT_EQ(children_of(husk.pid()).size(), 1u);
  EXPECT_EQ(zombies_of(husk.pid()), 0);
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);
  ::testing::Test::RecordProperty("orphans_ms", static_cast<int>(now_ms() - began));
}

TEST_P(Reaping, TenThousandOrphansDeadOnArrivalOrDyingLater) {
  expect_all_orphans_reaped(mode(), {probe(), "orphans", "5000", "5000"}, "10000");
}

// 100,000 orphans, in waves of 5,000 since the host's pid_max (32,768 here) bounds how many
// can exist at once: husk keeps up and leaves no zombie.
TEST_P(Reaping, AHundredThousandOrphansInWaves) {
  expect_all_orphans_reaped(mode(), {probe(), "orphan-waves", "20", "5000"}, "100000");
}

// The pid of the process the probe's tree mode reported as "started KIND PID".
pid_t started_pid(const Husk& husk, const std::string& kind) {
  for (const std::string& line : husk.lines_starting("started " + kind + " ")) {
    return std::atoi(line.substr(9 + kind.size()).c_str());
  }
  return -1;
}

TEST_P(Reaping, ShutdownLetsATrappingProcessFinish) {
  const long long began = now_ms();
  Husk husk = start({"-t", "10", probe(), "tree", "trap:1000"});
  int status = husk.wait();
  const long long took = now_ms() - began;
  EXPECT_EQ(exit_code(status), 3) << describe_status(status) << husk.err();
  EXPECT_NE(husk.out().find("trapped TERM\n"), std::string::npos) << husk.out();
  EXPECT_NE(husk.out().find("trap done\n"), std::string::npos) << husk.out();
  EXPECT_GE(took, 1000);
  EXPECT_LT(took, 8000) << "husk waited for the grace period although nothing was left";
}

TEST_P(Reaping, ShutdownKillsWhatIgnoresSigtermAfterTheGracePeriod) {
  const long long began = now_ms();
  Husk husk = start({"-t", "0.5", probe(), "tree", "ignore", "daemon", "trap:100"});
  int status = husk.wait();
  const long long took = now_ms() - began;
  EXPECT_EQ(exit_code(status), 3) << describe_status(status) << husk.err();
  EXPECT_GE(took, 500);
  EXPECT_LT(took, 8000);  // generous: the CI machine may be busy
  EXPECT_NE(husk.out().find("trap done\n"), std::string::npos) << husk.out();
  for (const char* kind : {"ignore", "daemon", "trap:100"}) {
    pid_t pid = started_pid(husk, kind);
    ASSERT_GT(pid, 0) << husk.out();
    if (!pid1()) {
      EXPECT_EQ(process_state(pid), '\0') << kind << " " << pid << " survived";
    }
  }
}

TEST_P(Reaping, GraceZeroKillsAtOnce) {
  const long long began = now_ms();
  Husk husk = start({"-t", "0", probe(), "tree", "trap:10000", "ignore"});
  int status = husk.wait();
  EXPECT_EQ(exit_code(status), 3);
  EXPECT_LT(now_ms() - began, 8000);
  EXPECT_EQ(husk.out().find("trapped TERM"), std::string::npos) << husk.out();
}

TEST_P(Reaping, SetsidDaemonIsTerminated) {
  Husk husk = start({"-v", probe(), "tree", "daemon"});
  int status = husk.wait();
  EXPECT_EQ(exit_code(status), 3);
  pid_t daemon = started_pid(husk, "daemon");
  ASSERT_GT(daemon, 0) << husk.out();
  if (!pid1()) {
    EXPECT_EQ(process_state(daemon), '\0');
  }
  EXPECT_NE(husk.err().find("child gone: sent SIGTERM"), std::string::npos) << husk.err();
}

TEST_P(Reaping, NoShutdownLeavesTheTreeAlone) {
  Husk husk = start({"-n", probe(), "tree", "daemon"}, {});
  int status = husk.wait();
  EXPECT_EQ(exit_code(status), 3);
  if (pid1()) return;  // the kernel kills the namespace when its PID 1 exits
  // Like tini: the daemon outlives husk and re-parents to the test, a subreaper.
  expect_escapees_ = true;
  pid_t daemon = started_pid(husk, "daemon");
  EXPECT_EQ(collect_escaped_children(), std::vector<pid_t>{daemon});
}

TEST_P(Reaping, SubreaperNeverSignalsProcessesOutsideItsTree) {
  if (pid1()) GTEST_SKIP() << "as PID 1 every process of the namespace is husk's";
  int out[2];
  ASSERT_EQ(pipe(out), 0);
  pid_t outsider = fork();
  if (outsider == 0) {
    dup2(out[1], 1);
    execl(probe().c_str(), probe().c_str(), "signals", nullptr);
    _exit(127);
  }
  close(out[1]);
  std::string text;
  ASSERT_TRUE(read_until(out[0], text, "ready\n", 5000));
  Husk husk = start({"-t", "0.3", probe(), "tree", "ignore", "daemon"});
  EXPECT_EQ(exit_code(husk.wait()), 3);
  sleep_ms(100);
  int flags = fcntl(out[0], F_GETFL);
  fcntl(out[0], F_SETFL, flags | O_NONBLOCK);
  read_until(out[0], text, "sig ", 100);
  EXPECT_EQ(text.find("sig "), std::string::npos) << "the outsider got a signal: " << text;
  kill(outsider, SIGKILL);
  waitpid(outsider, nullptr, 0);
  close(out[0]);
}

TEST_P(Reaping, PauseModeWaitsForSigtermOrSigint) {
  for (int stop : {SIGTERM, SIGINT}) {
    Husk husk = start({"-P"});
    sleep_ms(200);
    husk.signal(SIGUSR1);
    husk.signal(SIGHUP);
    sleep_ms(200);
    EXPECT_EQ(waitpid(husk.pid(), nullptr, WNOHANG), 0) << "husk -P stopped on another signal";
    husk.signal(stop);
    int status = husk.wait();
    EXPECT_EQ(exit_code(status), 0) << describe_status(status);
  }
}

TEST_P(Reaping, PauseModeReapsProcessesThatJoinTheNamespace) {
  if (!pid1()) GTEST_SKIP() << "only a PID 1 inherits processes it did not start";
  Husk husk = start({"-P", "-w"});
  sleep_ms(100);
  pid_t joiner = fork();
  if (joiner == 0) {  // enters husk's namespace; a process there leaves two orphans to husk
    std::string ns = "/proc/" + std::to_string(husk.pid()) + "/ns/pid";
    int fd = open(ns.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWPID) != 0) _exit(1);
    pid_t inside = fork();
    if (inside == 0) {
      for (int delay_ms : {0, 200}) {
        if (fork() == 0) {
          usleep(delay_ms * 1000);
          _exit(0);
        }
      }
      usleep(50000);
      _exit(0);
    }
    waitpid(inside, nullptr, 0);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(joiner, &status, 0), joiner);
  ASSERT_EQ(exit_code(status), 0);
  sleep_ms(500);
  EXPECT_TRUE(children_of(husk.pid()).empty());
  EXPECT_EQ(zombies_of(husk.pid()), 0);
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);
  EXPECT_NE(husk.err().find("husk: reaped orphan"), std::string::npos) << husk.err();
}

}  // namespace
}  // namespace husk::test
