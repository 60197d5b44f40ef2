// End-to-end: exit status, exec failures, usage and bad input, argument handling, hygiene (fds,
// cwd, no idle wake-ups, valgrind).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "e2e.h"

namespace husk::test {
namespace {

class Lifecycle : public E2e {};
HUSK_E2E_MODES(Lifecycle);

TEST_P(Lifecycle, EveryExitCodePassesThrough) {
  for (int code = 0; code < 256; ++code) {
    int status = run({"--", probe(), "exit", std::to_string(code)});
    ASSERT_EQ(exit_code(status), code) << describe_status(status) << "\n" << last_err_;
  }
}

TEST_P(Lifecycle, DeathBySignalNGives128PlusN) {
  std::vector<int> fatal = {SIGHUP,    SIGINT,  SIGQUIT, SIGILL,    SIGTRAP, SIGABRT,
                            SIGBUS,    SIGFPE,  SIGKILL, SIGUSR1,   SIGSEGV, SIGUSR2,
                            SIGPIPE,   SIGALRM, SIGTERM, SIGSTKFLT, SIGXCPU, SIGXFSZ,
                            SIGVTALRM, SIGPROF, SIGIO,   SIGPWR,    SIGSYS};
  for (int sig = SIGRTMIN; sig <= SIGRTMAX; ++sig) fatal.push_back(sig);
  for (int sig : fatal) {
    int status = run({probe(), "raise", std::to_string(sig)});
    EXPECT_EQ(exit_code(status), 128 + sig) << "signal " << sig << ": " << describe_status(status);
  }
}

TEST_P(Lifecycle, RemapsListedExitCodesToZero) {
  EXPECT_EQ(exit_code(run({"-e", "3", "-e", "143", probe(), "exit", "3"})), 0);
  EXPECT_EQ(exit_code(run({"-e", "3", probe(), "exit", "4"})), 4);
  EXPECT_EQ(exit_code(run({"-e", "143", probe(), "raise", "15"})), 0);
  EXPECT_EQ(exit_code(run({probe(), "exit", "5"}, {"HUSK_REMAP_EXIT=5"})), 0);
}

TEST_P(Lifecycle, CommandNotFoundIs127WithOneLine) {
  int status = run({"husk-no-such-command", "arg"});
  EXPECT_EQ(exit_code(status), 127);
  EXPECT_EQ(last_err_, "husk: cannot run 'husk-no-such-command': No such file or directory\n");
  status = run({"/nonexistent/dir/cmd"});
  EXPECT_EQ(exit_code(status), 127);
  EXPECT_EQ(last_err_, "husk: cannot run '/nonexistent/dir/cmd': No such file or directory\n");
}

TEST_P(Lifecycle, NotExecutableOrDirectoryIs126) {
  TempDir dir;
  std::string file = dir.path() + "/plain";
  std::ofstream(file) << "#!/bin/sh\necho hi\n";
  chmod(file.c_str(), 0644);
  EXPECT_EQ(exit_code(run({file})), 126);
  EXPECT_EQ(last_err_, "husk: cannot run '" + file + "': Permission denied\n");
  EXPECT_EQ(exit_code(run({dir.path()})), 126);
  EXPECT_EQ(last_err_, "husk: cannot run '" + dir.path() + "': Is a directory\n");
}

TEST_P(Lifecycle, OtherExecFailuresAre1) {
  TempDir dir;
  std::string a = dir.path() + "/loop-a", b = dir.path() + "/loop-b";
  ASSERT_EQ(symlink(b.c_str(), a.c_str()), 0);
  ASSERT_EQ(symlink(a.c_str(), b.c_str()), 0);
  EXPECT_EQ(exit_code(run({a})), 1);
  // The reason is libc's strerror(ELOOP), whose words differ between musl and glibc.
  const std::string prefix = "husk: cannot run '" + a + "': ";
  EXPECT_EQ(last_err_.rfind(prefix, 0), 0u) << last_err_;
  EXPECT_EQ(last_err_.find('\n'), last_err_.size() - 1) << last_err_;
}

TEST_P(Lifecycle, NoArgumentsPrintsUsageAndExits1) {
  EXPECT_EQ(exit_code(run({})), 1);
  EXPECT_EQ(last_err_.rfind("usage: husk [OPTIONS] [--] COMMAND [ARGS...]\n", 0), 0u) << last_err_;
  EXPECT_EQ(last_out_, "");
}

TEST_P(Lifecycle, BadInputGivesOneLineAndExit1) {
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const Case cases[] = {
      {{"-x", "true"}, "husk: unknown option '-x'\n"},
      {{"--frobnicate", "true"}, "husk: unknown option '--frobnicate'\n"},
      {{"-p", "SIGNOPE", "true"}, "husk: option -p: unknown signal 'SIGNOPE'\n"},
      {{"-r", "TERM:NOPE", "true"}, "husk: option -r: unknown signal 'NOPE'\n"},
      {{"-e", "300", "true"}, "husk: option -e: invalid exit code '300' (expected 0 to 255)\n"},
      {{"-t", "soon", "true"},
       "husk: option -t: invalid duration 'soon' (expected seconds, e.g. 5 or 0.5)\n"},
      {{"--grace"}, "husk: option --grace: needs a value\n"},
  };
  for (const Case& c : cases) {
    int status = run(c.args);
    EXPECT_TRUE(WIFEXITED(status)) << describe_status(status);
    EXPECT_EQ(exit_code(status), 1);
    EXPECT_EQ(last_err_, c.err);
  }
  EXPECT_EQ(exit_code(run({"true"}, {"HUSK_GRACE=later"})), 1);
  EXPECT_EQ(last_err_,
            "husk: HUSK_GRACE: invalid duration 'later' (expected seconds, e.g. 5 or 0.5)\n");
}

TEST_P(Lifecycle, InformationalOptions) {
  EXPECT_EQ(exit_code(run({"-h"})), 0);
  EXPECT_EQ(last_out_.rfind("usage: husk", 0), 0u);
  EXPECT_EQ(exit_code(run({"--version"})), 0);
  EXPECT_EQ(last_out_.rfind("husk ", 0), 0u);
  EXPECT_EQ(exit_code(run({"-l"})), 0);
  EXPECT_NE(last_out_.find("MIT License"), std::string::npos);
}

TEST_P(Lifecycle, OptionParsingStopsAtTheCommand) {
  EXPECT_EQ(exit_code(run({probe(), "args", "-v", "--grace", "x"})), 0);
  EXPECT_EQ(last_out_, "arg -v\narg --grace\narg x\n");
  EXPECT_EQ(exit_code(run({"-v", "--", probe(), "args", "--"})), 0);
  EXPECT_EQ(last_out_, "arg --\n");
}

TEST_P(Lifecycle, SaysSubreaperAtVerboseLevelWhenNotPid1) {
  EXPECT_EQ(exit_code(run({"-v", probe(), "exit", "0"})), 0);
  bool said = last_err_.find("registered as child subreaper") != std::string::npos;
  EXPECT_EQ(said, !pid1()) << last_err_;
  EXPECT_EQ(exit_code(run({"-s", probe(), "exit", "0"})), 0);  // accepted for tini
  EXPECT_EQ(last_err_, "");
}

TEST_P(Lifecycle, ChildKeepsCwdAndGetsNoFdOfHusks) {
  TempDir dir;
  SpawnSpec spec;
  spec.args = {probe(), "status"};
  std::string cwd = dir.path();
  spec.before_exec = [&cwd] {
    if (chdir(cwd.c_str()) != 0) _exit(251);
  };
  Husk husk = Husk::start(mode(), spec);
  int status = husk.wait();
  EXPECT_EQ(exit_code(status), 0) << husk.err();
  EXPECT_NE(husk.out().find("cwd " + cwd + "\n"), std::string::npos) << husk.out();
  EXPECT_EQ(husk.lines_starting("fd "), (std::vector<std::string>{"fd 0", "fd 1", "fd 2"}));
}

// Once the child runs, husk leaves its directory for "/" and keeps only stdio: both happen
// after the spawn, so the child's "ready" may come first; husk gets 5 s to settle.
TEST_P(Lifecycle, HuskPinsNoDirectoryAndHoldsOnlyStdio) {
  Husk husk = start({probe(), "signals"});
  ASSERT_TRUE(husk.wait_for_output("ready\n"));
  const std::string proc = "/proc/" + std::to_string(husk.pid());
  std::string cwd;
  std::vector<std::string> fds;
  const auto look = [&] {
    char target[256] = {};
    cwd = readlink((proc + "/cwd").c_str(), target, sizeof target - 1) > 0 ? target : "";
    fds.clear();
    for (int fd = 0; fd < 64; ++fd) {
      if (access((proc + "/fd/" + std::to_string(fd)).c_str(), F_OK) == 0)
        fds.push_back(std::to_string(fd));
    }
    return cwd == "/" && fds.size() == 3;
  };
  for (int waited = 0; waited < 5000 && !look(); waited += 10)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(cwd, "/");
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"}));
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);
}

TEST_P(Lifecycle, NoWakeUpsWhileIdle) {
  Husk husk = start({probe(), "signals"});
  ASSERT_TRUE(husk.wait_for_output("ready\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  long before = context_switches(husk.pid());
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(context_switches(husk.pid()), before) << "husk woke up while idle";
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0);
}

TEST_P(Lifecycle, ValgrindClean) {
  if (access("/usr/bin/valgrind", X_OK) != 0) GTEST_SKIP() << "valgrind is not installed";
  SpawnSpec spec;
  spec.wrapper = {"/usr/bin/valgrind", "-q", "--vgdb=no", "--error-exitcode=99",
                  "--leak-check=full"};
  spec.args = {"-t", "0.2", "--", "/bin/sh", "-c", "sleep 0.1 & sleep 0.05 & exit 7"};
  Husk husk = Husk::start(mode(), spec);
  int status = husk.wait(60000);
  EXPECT_EQ(exit_code(status), 7) << husk.err();
  EXPECT_EQ(husk.err(), "");
}

}  // namespace
}  // namespace husk::test
