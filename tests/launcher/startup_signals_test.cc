// Signals sent to launch while the container starts: none is lost, and the user's process
// still gets the signal mask launch was started with (tini's rule).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "bundle.h"

namespace husk::e2e {
namespace {

// A SIGTERM forwarded just after the exec of husk, before husk had blocked signals, was dropped
// by the kernel (a default-action signal to a pid namespace's PID 1): launch then ran until the
// container ended by itself. 24 of 550 were lost at 0-30 ms.
TEST(StartupSignals, SigtermAtAnyMomentOfStartUpEndsTheRun) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["args"] = {"sleep", "30"};
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> delay_us(0, 30000);
  constexpr int kRuns = 200;
  int lost = 0;
  std::string first_failure;
  for (int run = 0; run < kRuns && lost < 3; ++run) {
    Running running = bundle.start();
    std::this_thread::sleep_for(std::chrono::microseconds(delay_us(random)));
    running.signal(SIGTERM);
    RunResult result = running.wait(5000);
    if (result.exit_code != 128 + SIGTERM) {
      ++lost;
      if (first_failure.empty()) {
        first_failure = "run " + std::to_string(run) + ": exit " +
                        std::to_string(result.exit_code) + ", stderr: " + result.err;
      }
    }
  }
  EXPECT_EQ(lost, 0) << first_failure;
}

// launch execs husk with every signal blocked; the process must still start with the mask
// launch itself was started with.
TEST(StartupSignals, TheProcessGetsLaunchsSignalMask) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  // HUSK_SIGNAL_MASK, launch's word to husk, does not reach the process either.
  bundle.shell("grep -E '^Sig(Blk|Ign)' /proc/self/status; env | grep SIGNAL_MASK; true");
  for (bool init : {true, false}) {
    std::vector<std::string> args = bundle.launch_argv(
        init ? std::vector<std::string>{} : std::vector<std::string>{"--no-init"});
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    int out[2];
    ASSERT_EQ(::pipe2(out, O_CLOEXEC), 0);
    pid_t pid = ::fork();
    if (pid == 0) {
      ::dup2(out[1], 1);
      sigset_t mask;
      ::sigemptyset(&mask);
      ::sigaddset(&mask, SIGUSR1);
      ::sigaddset(&mask, SIGWINCH);
      ::sigprocmask(SIG_SETMASK, &mask, nullptr);
      // What the test runs under may ignore more (a shell's background job ignores SIGINT and
      // SIGQUIT): only SIGHUP is ignored here.
      for (int sig = 1; sig < NSIG; ++sig) ::signal(sig, SIG_DFL);
      ::signal(SIGHUP, SIG_IGN);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out[1]);
    std::string text;
    char buffer[512];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
      text.append(buffer, static_cast<size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_EQ(status, 0) << (init ? "husk" : "--no-init");
    // SIGUSR1 (10) and SIGWINCH (28) blocked, SIGHUP (1) ignored: nothing else.
    EXPECT_EQ(text, "SigBlk:\t0000000008000200\nSigIgn:\t0000000000000001\n")
        << (init ? "husk" : "--no-init");
  }
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
