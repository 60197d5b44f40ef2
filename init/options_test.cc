#include "options.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

namespace husk {
namespace {

// Owns the argv and envp strings, which ParseResult::options.command points into.
class Parse {
 public:
  Parse(std::vector<std::string> args, std::vector<std::string> env = {})
      : args_(std::move(args)), env_(std::move(env)) {
    args_.insert(args_.begin(), "husk");
    for (std::string& a : args_) argv_.push_back(a.data());
    argv_.push_back(nullptr);
    for (std::string& e : env_) envp_.push_back(e.data());
    envp_.push_back(nullptr);
    result = parse_options(static_cast<int>(args_.size()), argv_.data(), envp_.data());
  }

  std::vector<std::string> command() const {
    std::vector<std::string> out;
    for (char* const* a = result.options.command; a != nullptr && *a != nullptr; ++a) {
      out.emplace_back(*a);
    }
    return out;
  }
  std::string error() const { return std::string(result.error.view()); }
  const Options& options() const { return result.options; }

  ParseResult result;

 private:
  std::vector<std::string> args_;
  std::vector<std::string> env_;
  std::vector<char*> argv_;
  std::vector<char*> envp_;
};

using Strings = std::vector<std::string>;

TEST(Options, Defaults) {
  Parse p({"cmd"});
  ASSERT_EQ(p.result.action, Action::kRun);
  const Options& o = p.options();
  EXPECT_FALSE(o.subreaper);
  EXPECT_FALSE(o.process_group);
  EXPECT_EQ(o.pdeathsig, 0);
  EXPECT_EQ(o.verbosity, 1);
  EXPECT_FALSE(o.warn_on_reap);
  EXPECT_EQ(o.grace_ms, 5000);
  EXPECT_EQ(o.kill_after_ms, -1);
  EXPECT_TRUE(o.shutdown_tree);
  EXPECT_FALSE(o.pause);
  for (int code = 0; code < 256; ++code) EXPECT_EQ(o.exit_remap.apply(code), code);
  EXPECT_EQ(o.rewrite.map(SIGTERM), SIGTERM);
  EXPECT_EQ(p.command(), Strings{"cmd"});
}

TEST(Options, NoArgumentsIsUsage) {
  EXPECT_EQ(Parse({}).result.action, Action::kUsage);
  EXPECT_EQ(Parse({"-v", "-s"}).result.action, Action::kUsage);
  EXPECT_EQ(Parse({"--"}).result.action, Action::kUsage);
}

TEST(Options, StopsAtFirstNonOption) {
  Parse p({"-v", "cmd", "-v", "--grace", "x"});
  ASSERT_EQ(p.result.action, Action::kRun);
  EXPECT_EQ(p.options().verbosity, 2);
  EXPECT_EQ(p.command(), (Strings{"cmd", "-v", "--grace", "x"}));
}

TEST(Options, DoubleDashEndsOptions) {
  Parse p({"-g", "--", "-cmd", "--", "x"});
  ASSERT_EQ(p.result.action, Action::kRun);
  EXPECT_TRUE(p.options().process_group);
  EXPECT_EQ(p.command(), (Strings{"-cmd", "--", "x"}));
}

TEST(Options, LoneDashIsACommand) {
  Parse p({"-", "x"});
  EXPECT_EQ(p.command(), (Strings{"-", "x"}));
}

TEST(Options, FlagsAndClusters) {
  Parse p({"-sgw", "-vvv", "-n", "cmd"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().subreaper);
  EXPECT_TRUE(p.options().process_group);
  EXPECT_TRUE(p.options().warn_on_reap);
  EXPECT_FALSE(p.options().shutdown_tree);
  EXPECT_EQ(p.options().verbosity, 4);
}

TEST(Options, LongForms) {
  Parse p({"--subreaper", "--process-group", "--warn-on-reap", "--verbose", "--no-shutdown",
           "--grace=1.5", "--kill-after", "30", "--pdeathsig=KILL", "--remap-exit", "143",
           "--rewrite=TERM:QUIT", "--verbosity", "3", "cmd"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  const Options& o = p.options();
  EXPECT_TRUE(o.subreaper && o.process_group && o.warn_on_reap && !o.shutdown_tree);
  EXPECT_EQ(o.verbosity, 3);
  EXPECT_EQ(o.grace_ms, 1500);
  EXPECT_EQ(o.kill_after_ms, 30000);
  EXPECT_EQ(o.pdeathsig, SIGKILL);
  EXPECT_EQ(o.exit_remap.apply(143), 0);
  EXPECT_EQ(o.rewrite.map(SIGTERM), SIGQUIT);
}

TEST(Options, ValuesAttachedOrSeparate) {
  Parse p({"-t0.25", "-k", "2", "-pSIGUSR1", "-e3", "-e", "4", "-rHUP:0", "cmd"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  const Options& o = p.options();
  EXPECT_EQ(o.grace_ms, 250);
  EXPECT_EQ(o.kill_after_ms, 2000);
  EXPECT_EQ(o.pdeathsig, SIGUSR1);
  EXPECT_EQ(o.exit_remap.apply(3), 0);
  EXPECT_EQ(o.exit_remap.apply(4), 0);
  EXPECT_EQ(o.exit_remap.apply(5), 5);
  EXPECT_EQ(o.rewrite.map(SIGHUP), 0);
}

TEST(Options, ValueInACluster) {
  Parse p({"-vt", "2", "cmd"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_EQ(p.options().verbosity, 2);
  EXPECT_EQ(p.options().grace_ms, 2000);
}

TEST(Options, GraceZeroMeansKillAtOnce) {
  EXPECT_EQ(Parse({"-t", "0", "cmd"}).options().grace_ms, 0);
}

// launch execs husk with every signal blocked and names the mask the child must get.
TEST(Options, SignalMaskForTheChild) {
  Parse none({"cmd"});
  EXPECT_FALSE(none.options().has_signal_mask);
  Parse p({"--signal-mask", "0000000000010200", "cmd"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().has_signal_mask);
  EXPECT_EQ(p.options().signal_mask.bits, (1U << (SIGUSR1 - 1)) | (1U << (SIGCHLD - 1)));
  EXPECT_EQ(p.command(), Strings{"cmd"});
  Parse all({"--signal-mask=FFFFfffffffffffe", "cmd"});
  EXPECT_EQ(all.options().signal_mask.bits, ~std::uint64_t{1});
  Parse zero({"--signal-mask=0", "cmd"});
  EXPECT_TRUE(zero.options().has_signal_mask);
  EXPECT_EQ(zero.options().signal_mask.bits, 0U);
  for (const char* bad : {"", "x", "12345678901234567", "-1", "0x10"}) {
    Parse q({"--signal-mask", bad, "cmd"});
    EXPECT_EQ(q.result.action, Action::kError) << bad;
    EXPECT_EQ(q.error(), std::string("option --signal-mask: invalid signal mask '") + bad +
                             "' (expected 1 to 16 hex digits)");
  }
  // launch sets it in the environment, after the caller's own variables: the last one wins.
  Parse env({"cmd"}, {"HUSK_SIGNAL_MASK=1", "HUSK_SIGNAL_MASK=ff"});
  EXPECT_TRUE(env.options().has_signal_mask);
  EXPECT_EQ(env.options().signal_mask.bits, 0xffU);
}

TEST(Options, PauseRunsNoCommand) {
  Parse p({"-P"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().pause);
  EXPECT_EQ(p.options().command, nullptr);
  Parse q({"-P", "cmd"});
  EXPECT_EQ(q.result.action, Action::kError);
  EXPECT_EQ(q.error(), "option -P: pause mode runs no command, but got 'cmd'");
}

TEST(Options, InformationalActions) {
  EXPECT_EQ(Parse({"-h"}).result.action, Action::kHelp);
  EXPECT_EQ(Parse({"--help", "cmd"}).result.action, Action::kHelp);
  EXPECT_EQ(Parse({"-v", "-h", "cmd"}).result.action, Action::kHelp);
  EXPECT_EQ(Parse({"--version"}).result.action, Action::kVersion);
  EXPECT_EQ(Parse({"-l"}).result.action, Action::kLicense);
  EXPECT_EQ(Parse({"--license"}).result.action, Action::kLicense);
  EXPECT_EQ(Parse({"cmd", "-h"}).result.action, Action::kRun);
}

struct BadCase {
  Strings args;
  Strings env;
  std::string error;
};

TEST(Options, BadInputGivesOneExactLine) {
  const std::string seconds = " (expected seconds, e.g. 5 or 0.5)";
  const BadCase cases[] = {
      {{"-x", "cmd"}, {}, "unknown option '-x'"},
      {{"-vx", "cmd"}, {}, "unknown option '-x'"},
      {{"--bogus", "cmd"}, {}, "unknown option '--bogus'"},
      {{"--bogus=1", "cmd"}, {}, "unknown option '--bogus'"},
      {{"--grace"}, {}, "option --grace: needs a value"},
      {{"-t"}, {}, "option -t: needs a value"},
      {{"--help=yes"}, {}, "option --help: takes no value"},
      {{"-p", "FOO", "cmd"}, {}, "option -p: unknown signal 'FOO'"},
      {{"-p", "0", "cmd"}, {}, "option -p: unknown signal '0'"},
      {{"--pdeathsig=SIGRTMAX+1", "cmd"}, {}, "option --pdeathsig: unknown signal 'SIGRTMAX+1'"},
      {{"-e", "256", "cmd"}, {}, "option -e: invalid exit code '256' (expected 0 to 255)"},
      {{"-e", "-1", "cmd"}, {}, "option -e: invalid exit code '-1' (expected 0 to 255)"},
      {{"-e", "", "cmd"}, {}, "option -e: invalid exit code '' (expected 0 to 255)"},
      {{"-e", "1x", "cmd"}, {}, "option -e: invalid exit code '1x' (expected 0 to 255)"},
      {{"-t", "abc", "cmd"}, {}, "option -t: invalid duration 'abc'" + seconds},
      {{"-t", "-1", "cmd"}, {}, "option -t: invalid duration '-1'" + seconds},
      {{"-t", "1.", "cmd"}, {}, "option -t: invalid duration '1.'" + seconds},
      {{"-t", ".5", "cmd"}, {}, "option -t: invalid duration '.5'" + seconds},
      {{"-t", "1.2345", "cmd"}, {}, "option -t: invalid duration '1.2345'" + seconds},
      {{"-t", "1000001", "cmd"}, {}, "option -t: invalid duration '1000001'" + seconds},
      {{"--kill-after=5s", "cmd"}, {}, "option --kill-after: invalid duration '5s'" + seconds},
      {{"-r", "TERM", "cmd"},
       {},
       "option -r: invalid rewrite 'TERM' (expected SOURCE:TARGET, e.g. TERM:QUIT)"},
      {{"-r", "TERM:NOPE", "cmd"}, {}, "option -r: unknown signal 'NOPE'"},
      {{"--rewrite=KILL:TERM", "cmd"},
       {},
       "option --rewrite: cannot rewrite SIGKILL (husk never forwards it)"},
      {{"--verbosity=10", "cmd"},
       {},
       "option --verbosity: invalid verbosity '10' (expected 0 to 9)"},
      {{"cmd"}, {"HUSK_GRACE=x"}, "HUSK_GRACE: invalid duration 'x'" + seconds},
      {{"cmd"}, {"HUSK_KILL_AFTER=1m"}, "HUSK_KILL_AFTER: invalid duration '1m'" + seconds},
      {{"cmd"}, {"HUSK_PDEATHSIG=NOPE"}, "HUSK_PDEATHSIG: unknown signal 'NOPE'"},
      {{"cmd"},
       {"HUSK_REMAP_EXIT=1,300"},
       "HUSK_REMAP_EXIT: invalid exit code '300' (expected 0 to 255)"},
      {{"cmd"},
       {"HUSK_REWRITE=TERM:QUIT,USR1"},
       "HUSK_REWRITE: invalid rewrite 'USR1' (expected SOURCE:TARGET, e.g. TERM:QUIT)"},
      {{"cmd"},
       {"TINI_VERBOSITY=abc"},
       "TINI_VERBOSITY: invalid verbosity 'abc' (expected 0 to 9)"},
      {{"cmd"}, {"HUSK_VERBOSITY=-1"}, "HUSK_VERBOSITY: invalid verbosity '-1' (expected 0 to 9)"},
  };
  for (const BadCase& c : cases) {
    Parse p(c.args, c.env);
    EXPECT_EQ(p.result.action, Action::kError) << c.error;
    EXPECT_EQ(p.error(), c.error);
  }
}

TEST(Environment, TiniVariables) {
  // tini counts its boolean variables whenever they are set, even when empty.
  Parse p({"cmd"}, {"TINI_SUBREAPER=", "TINI_KILL_PROCESS_GROUP=1", "TINI_VERBOSITY=3"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().subreaper);
  EXPECT_TRUE(p.options().process_group);
  EXPECT_EQ(p.options().verbosity, 3);
}

TEST(Environment, HuskVariablesMirrorEveryOption) {
  Parse p({"cmd"},
          {"HUSK_SUBREAPER=1", "HUSK_KILL_PROCESS_GROUP=yes", "HUSK_PDEATHSIG=SIGTERM",
           "HUSK_REMAP_EXIT=1,2 143", "HUSK_VERBOSITY=0", "HUSK_WARN_ON_REAP=1", "HUSK_GRACE=0.25",
           "HUSK_KILL_AFTER=30", "HUSK_NO_SHUTDOWN=1", "HUSK_REWRITE=TERM:QUIT,HUP:0"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  const Options& o = p.options();
  EXPECT_TRUE(o.subreaper);
  EXPECT_TRUE(o.process_group);
  EXPECT_EQ(o.pdeathsig, SIGTERM);
  for (int code = 0; code < 256; ++code) {
    EXPECT_EQ(o.exit_remap.apply(code), code == 1 || code == 2 || code == 143 ? 0 : code);
  }
  EXPECT_EQ(o.verbosity, 0);
  EXPECT_TRUE(o.warn_on_reap);
  EXPECT_EQ(o.grace_ms, 250);
  EXPECT_EQ(o.kill_after_ms, 30000);
  EXPECT_FALSE(o.shutdown_tree);
  EXPECT_EQ(o.rewrite.map(SIGTERM), SIGQUIT);
  EXPECT_EQ(o.rewrite.map(SIGHUP), 0);
}

TEST(Environment, HuskBooleansOffWhenEmptyOrZero) {
  Parse p({"cmd"}, {"HUSK_SUBREAPER=", "HUSK_NO_SHUTDOWN=0", "HUSK_PAUSE=0",
                    "HUSK_KILL_PROCESS_GROUP=", "HUSK_WARN_ON_REAP=0"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_FALSE(p.options().subreaper);
  EXPECT_TRUE(p.options().shutdown_tree);
  EXPECT_FALSE(p.options().pause);
  EXPECT_FALSE(p.options().process_group);
  EXPECT_FALSE(p.options().warn_on_reap);
}

TEST(Environment, PauseFromEnvironment) {
  Parse p({}, {"HUSK_PAUSE=1"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().pause);
}

TEST(Environment, HuskWinsOverTiniAndArgumentsWinOverBoth) {
  EXPECT_EQ(Parse({"cmd"}, {"HUSK_VERBOSITY=2", "TINI_VERBOSITY=0"}).options().verbosity, 2);
  EXPECT_EQ(Parse({"-v", "cmd"}, {"TINI_VERBOSITY=0"}).options().verbosity, 1);
  EXPECT_EQ(Parse({"-t", "3", "cmd"}, {"HUSK_GRACE=1"}).options().grace_ms, 3000);
  Parse p({"-e", "5", "cmd"}, {"HUSK_REMAP_EXIT=4"});
  EXPECT_EQ(p.options().exit_remap.apply(4), 0);
  EXPECT_EQ(p.options().exit_remap.apply(5), 0);
}

TEST(Environment, OnlyExactNamesCount) {
  Parse p({"cmd"}, {"HUSK_GRACEFUL=x", "XHUSK_GRACE=x", "HUSK_GRACE", "husk_grace=1"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_EQ(p.options().grace_ms, 5000);
}

TEST(Services, DirectoryServicesAndSettingsWithoutACommand) {
  Parse p({"-S", "/etc/husk.d", "--service", "web=nginx -g x", "--service=cron=crond -f", "--set",
           "web:restart=never", "--control", "/tmp/ctl"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().supervises_services());
  EXPECT_STREQ(p.options().service_dir, "/etc/husk.d");
  ASSERT_EQ(p.options().service_count, 2);
  EXPECT_STREQ(p.options().services[0], "web=nginx -g x");
  EXPECT_STREQ(p.options().services[1], "cron=crond -f");
  ASSERT_EQ(p.options().setting_count, 1);
  EXPECT_STREQ(p.options().settings[0], "web:restart=never");
  EXPECT_STREQ(p.options().control_path, "/tmp/ctl");
  EXPECT_EQ(p.command(), std::vector<std::string>{});
}

TEST(Services, ACommandAfterTheServicesIsKept) {
  Parse p({"--service", "web=nginx", "--", "app", "-v"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_EQ(p.command(), (std::vector<std::string>{"app", "-v"}));
}

TEST(Services, FromTheEnvironment) {
  Parse p({}, {"HUSK_SERVICES=/srv/services", "HUSK_CONTROL=/run/x.sock"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_STREQ(p.options().service_dir, "/srv/services");
  EXPECT_STREQ(p.options().control_path, "/run/x.sock");
  EXPECT_STREQ(Parse({"cmd"}).options().control_path, "/run/husk.sock");
  EXPECT_FALSE(Parse({"cmd"}).options().supervises_services());
}

TEST(Services, LogPrefixFromTheFlagOrTheEnvironment) {
  EXPECT_FALSE(Parse({"cmd"}).options().log_prefix);
  EXPECT_TRUE(Parse({"--signal-all", "--log-prefix", "cmd"}).options().signal_all);
  Parse flag({"--log-prefix", "-S", "/srv/services"});
  ASSERT_EQ(flag.result.action, Action::kRun) << flag.error();
  EXPECT_TRUE(flag.options().log_prefix);
  Parse env({"-S", "/srv/services"}, {"HUSK_LOG_PREFIX=1"});
  EXPECT_TRUE(env.options().log_prefix);
  EXPECT_FALSE(Parse({"cmd"}, {"HUSK_LOG_PREFIX=0"}).options().log_prefix);
  EXPECT_EQ(Parse({"--log-prefix=yes", "cmd"}).error(), "option --log-prefix: takes no value");
}

TEST(Services, LogPrefixMakesAPlainCommandTheMainService) {
  Parse p({"--log-prefix", "app", "-v"});
  ASSERT_EQ(p.result.action, Action::kRun) << p.error();
  EXPECT_TRUE(p.options().supervises_services());
  EXPECT_EQ(p.command(), (std::vector<std::string>{"app", "-v"}));
}

TEST(Services, PauseModeRunsNoServices) {
  Parse p({"-P", "-S", "/etc/husk.d"});
  EXPECT_EQ(p.result.action, Action::kError);
  EXPECT_EQ(p.error(), "option -P: pause mode runs no services");
}

TEST(ParseSeconds, Forms) {
  struct Case {
    const char* text;
    int ms;
  };
  for (const Case& c : {Case{"0", 0}, Case{"5", 5000}, Case{"0.5", 500}, Case{"0.05", 50},
                        Case{"1.001", 1001}, Case{"30", 30000}, Case{"1000000", 1000000000}}) {
    int ms = -1;
    EXPECT_TRUE(parse_seconds(c.text, ms)) << c.text;
    EXPECT_EQ(ms, c.ms) << c.text;
  }
}

}  // namespace
}  // namespace husk
