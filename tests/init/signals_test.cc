// End-to-end: signal forwarding (every catchable signal, real-time ones included), signals sent
// before the child starts, -g, -r, the child's signal mask and ignored set, -k, stop signals and
// the parent-death signal.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <set>
#include <thread>

#include "e2e.h"

namespace husk::test {
namespace {

class Signals : public E2e {};
HUSK_E2E_MODES(Signals);

std::string sig_line(int sig) { return "sig " + std::to_string(sig) + "\n"; }

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

TEST_P(Signals, ForwardsEveryCatchableSignal) {
  Husk husk = start({probe(), "signals"});
  ASSERT_TRUE(husk.wait_for_output("ready\n")) << husk.err();
  std::set<int> unhandled;  // the probe's libc keeps some real-time signals to itself
  for (const std::string& line : husk.lines_starting("unhandled ")) {
    unhandled.insert(std::stoi(line.substr(10)));
  }
  int forwarded = 0;
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD || sig == SIGTERM ||
        unhandled.count(sig) != 0) {
      continue;
    }
    husk.signal(sig);
    ASSERT_TRUE(husk.wait_for_output(sig_line(sig), 3000)) << "signal " << sig << " not forwarded\n"
                                                           << husk.out();
    ++forwarded;
  }
  EXPECT_GE(forwarded, 58);
  husk.signal(SIGTERM);
  EXPECT_TRUE(husk.wait_for_output(sig_line(SIGTERM)));
  EXPECT_EQ(exit_code(husk.wait()), 0);
  EXPECT_EQ(husk.err(), "");
}

TEST_P(Signals, SignalSentBeforeTheChildStartsIsNotLost) {
  SpawnSpec spec;
  spec.args = {probe(), "signals"};
  spec.before_exec = [] {  // pending across exec: husk finds it before it has a child
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, nullptr);
    raise(SIGUSR1);
  };
  Husk husk = Husk::start(mode(), spec);
  EXPECT_TRUE(husk.wait_for_output(sig_line(SIGUSR1))) << husk.out();
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);
}

TEST_P(Signals, ProcessGroupOptionReachesTheGrandchild) {
  Husk husk = start({"-g", probe(), "group"});
  ASSERT_TRUE(husk.wait_for_output("ready grandchild")) << husk.err();
  husk.signal(SIGUSR1);
  husk.wait_for_output(sig_line(SIGUSR1) + sig_line(SIGUSR1), 1000);
  EXPECT_EQ(husk.lines_starting("sig 10").size(), 2u) << husk.out();
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);
  EXPECT_EQ(husk.lines_starting("sig 15").size(), 2u) << husk.out();
}

TEST_P(Signals, WithoutProcessGroupOnlyTheChildIsSignalled) {
  Husk husk = start({"-t", "1", probe(), "group"},
                    {"TINI_KILL_PROCESS_GROUP=", "HUSK_KILL_PROCESS_GROUP=0"});
  // TINI_KILL_PROCESS_GROUP counts whenever set, as in tini: this is -g again.
  ASSERT_TRUE(husk.wait_for_output("ready grandchild")) << husk.err();
  husk.signal(SIGUSR1);
  husk.read_for(300);
  EXPECT_EQ(husk.lines_starting("sig 10").size(), 2u) << husk.out();
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);

  Husk plain = start({"-t", "1", probe(), "group"});
  ASSERT_TRUE(plain.wait_for_output("ready grandchild")) << plain.err();
  plain.signal(SIGUSR1);
  ASSERT_TRUE(plain.wait_for_output(sig_line(SIGUSR1)));
  plain.read_for(300);
  EXPECT_EQ(plain.lines_starting("sig 10").size(), 1u) << plain.out();
  plain.signal(SIGTERM);  // the child exits; the shutdown sends the grandchild SIGTERM
  EXPECT_EQ(exit_code(plain.wait()), 0);
  EXPECT_EQ(plain.lines_starting("sig 15").size(), 2u) << plain.out();
}

TEST_P(Signals, RewriteMapsAndDrops) {
  for (bool from_env : {false, true}) {
    std::vector<std::string> args = {probe(), "signals", std::to_string(SIGINT)};
    std::vector<std::string> env;
    if (from_env) {
      env = {"HUSK_REWRITE=USR1:USR2,HUP:0,TERM:INT"};
    } else {
      args.insert(args.begin(), {"-r", "USR1:USR2", "-r", "SIGHUP:0", "--rewrite=15:2"});
    }
    Husk husk = start(args, env);
    ASSERT_TRUE(husk.wait_for_output("ready\n")) << husk.err();
    husk.signal(SIGUSR1);
    EXPECT_TRUE(husk.wait_for_output(sig_line(SIGUSR2)));
    husk.signal(SIGHUP);
    husk.signal(SIGWINCH);
    EXPECT_TRUE(husk.wait_for_output(sig_line(SIGWINCH)));
    husk.signal(SIGTERM);
    EXPECT_TRUE(husk.wait_for_output(sig_line(SIGINT)));
    EXPECT_EQ(exit_code(husk.wait()), 0);
    EXPECT_TRUE(husk.lines_starting("sig 10").empty()) << husk.out();
    EXPECT_EQ(husk.out().find("\nsig 1\n"), std::string::npos) << husk.out();
    EXPECT_EQ(husk.out().find("sig 15\n"), std::string::npos) << husk.out();
  }
}

std::string hex_mask(std::initializer_list<int> signals) {
  unsigned long long bits = 0;
  for (int sig : signals) bits |= 1ULL << (sig - 1);
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", bits);
  return text;
}

TEST_P(Signals, ChildGetsTheStartMaskAndIgnoredSet) {
  const int rt = SIGRTMIN + 2;
  SpawnSpec spec;
  spec.args = {probe(), "status"};
  spec.before_exec = [rt] {
    sigset_t blocked;
    sigemptyset(&blocked);
    for (int sig : {SIGHUP, SIGUSR2, SIGWINCH, rt}) sigaddset(&blocked, sig);
    sigprocmask(SIG_SETMASK, &blocked, nullptr);
    for (int sig : {SIGINT, SIGPIPE, SIGTTOU, SIGCHLD, SIGQUIT}) signal(sig, SIG_IGN);
  };
  Husk husk = Husk::start(mode(), spec);
  int status = husk.wait();
  EXPECT_EQ(exit_code(status), 0) << husk.err();  // SIGCHLD ignored did not hide the status
  EXPECT_NE(husk.out().find("SigBlk:\t" + hex_mask({SIGHUP, SIGUSR2, SIGWINCH, rt}) + "\n"),
            std::string::npos)
      << husk.out();
  EXPECT_NE(
      husk.out().find("SigIgn:\t" + hex_mask({SIGINT, SIGPIPE, SIGTTOU, SIGCHLD, SIGQUIT}) + "\n"),
      std::string::npos)
      << husk.out();

  Husk clean = start({probe(), "status"});
  EXPECT_EQ(exit_code(clean.wait()), 0);
  EXPECT_NE(clean.out().find("SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"),
            std::string::npos)
      << clean.out();
}

TEST_P(Signals, TerminationSignalIsOnlyForwardedByDefault) {
  Husk husk = start({probe(), "ignore-term"});
  ASSERT_TRUE(husk.wait_for_output("ready\n"));
  husk.signal(SIGTERM);
  sleep_ms(500);
  EXPECT_EQ(waitpid(husk.pid(), nullptr, WNOHANG), 0) << "husk exited on SIGTERM";
  husk.signal(SIGUSR1);
  EXPECT_EQ(exit_code(husk.wait()), 0);
}

TEST_P(Signals, KillAfterEscalatesToSigkill) {
  Husk husk = start({"-k", "0.3", probe(), "ignore-term"});
  ASSERT_TRUE(husk.wait_for_output("ready\n"));
  const long long sent = now_ms();
  husk.signal(SIGTERM);
  int status = husk.wait();
  const long long took = now_ms() - sent;
  EXPECT_EQ(exit_code(status), 128 + SIGKILL) << describe_status(status) << husk.err();
  EXPECT_GE(took, 280);
  EXPECT_LT(took, 8000);  // generous: the CI machine may be busy
}

TEST_P(Signals, StopSignalsAreForwardedAndHuskNeverStops) {
  Husk husk = start({probe(), "ignore-term"});  // default dispositions for TSTP and CONT
  ASSERT_TRUE(husk.wait_for_output("ready\n"));
  std::vector<pid_t> children = children_of(husk.pid());
  ASSERT_EQ(children.size(), 1u);
  for (int sig : {SIGTSTP, SIGTTIN, SIGTTOU}) {
    husk.signal(sig);
    long long deadline = now_ms() + 3000;
    while (process_state(children[0]) != 'T' && now_ms() < deadline) sleep_ms(10);
    EXPECT_EQ(process_state(children[0]), 'T') << "signal " << sig;
    EXPECT_NE(process_state(husk.pid()), 'T');
    husk.signal(SIGCONT);
    deadline = now_ms() + 3000;
    while (process_state(children[0]) == 'T' && now_ms() < deadline) sleep_ms(10);
    EXPECT_NE(process_state(children[0]), 'T');
  }
  husk.signal(SIGUSR1);
  EXPECT_EQ(exit_code(husk.wait()), 0);
}

TEST_P(Signals, ParentDeathSignalIsForwarded) {
  int out[2], go[2], report[2];
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(pipe(go), 0);
  ASSERT_EQ(pipe(report), 0);
  become_subreaper();
  pid_t parent = fork();
  ASSERT_GE(parent, 0);
  if (parent == 0) {  // husk's parent: starts it, then dies when told to
    close(out[0]);
    close(go[1]);
    close(report[0]);
    SpawnSpec spec;
    spec.args = {"-p", "SIGUSR1", probe(), "signals"};
    spec.output_fd = out[1];
    Husk husk = Husk::start(mode(), spec);
    pid_t pid = husk.pid();
    if (write(report[1], &pid, sizeof pid) < 0) _exit(1);
    char c;
    while (read(go[0], &c, 1) > 0) {
    }
    _exit(0);
  }
  close(out[1]);
  close(go[0]);
  close(report[1]);
  pid_t husk_pid = -1;
  ASSERT_EQ(read(report[0], &husk_pid, sizeof husk_pid), static_cast<ssize_t>(sizeof husk_pid));
  std::string text;
  ASSERT_TRUE(read_until(out[0], text, "ready\n", 5000)) << text;
  close(go[1]);  // the parent exits
  waitpid(parent, nullptr, 0);
  EXPECT_TRUE(read_until(out[0], text, sig_line(SIGUSR1), 5000)) << text;
  kill(husk_pid, SIGTERM);  // husk is the test's child now (the test is a subreaper)
  int status = 0;
  EXPECT_EQ(waitpid(husk_pid, &status, 0), husk_pid);
  EXPECT_EQ(exit_code(status), 0) << describe_status(status);
  close(out[0]);
  close(report[0]);
}

}  // namespace
}  // namespace husk::test
