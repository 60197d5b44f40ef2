#include "signals.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

namespace husk {
namespace {

std::string name_of(int sig) {
  Message m;
  append_signal_name(m, sig);
  return std::string(m.view());
}

TEST(ParseSignal, NamesWithAndWithoutPrefixInAnyCase) {
  EXPECT_EQ(parse_signal("TERM"), SIGTERM);
  EXPECT_EQ(parse_signal("SIGTERM"), SIGTERM);
  EXPECT_EQ(parse_signal("sigterm"), SIGTERM);
  EXPECT_EQ(parse_signal("Usr1"), SIGUSR1);
  EXPECT_EQ(parse_signal("SIGWINCH"), SIGWINCH);
  EXPECT_EQ(parse_signal("SIGSYS"), SIGSYS);
}

TEST(ParseSignal, Aliases) {
  EXPECT_EQ(parse_signal("IOT"), SIGABRT);
  EXPECT_EQ(parse_signal("SIGCLD"), SIGCHLD);
  EXPECT_EQ(parse_signal("POLL"), SIGIO);
}

TEST(ParseSignal, Numbers) {
  EXPECT_EQ(parse_signal("1"), 1);
  EXPECT_EQ(parse_signal("15"), 15);
  EXPECT_EQ(parse_signal("64"), 64);
  EXPECT_EQ(parse_signal("0"), std::nullopt);
  EXPECT_EQ(parse_signal("0", /*allow_zero=*/true), 0);
  EXPECT_EQ(parse_signal("65"), std::nullopt);
  EXPECT_EQ(parse_signal("1000"), std::nullopt);
}

TEST(ParseSignal, RealTimeNamesFollowGlibcWhateverTheLibc) {
  EXPECT_EQ(kRtMin, 34);
  EXPECT_EQ(parse_signal("SIGRTMIN"), 34);
  EXPECT_EQ(parse_signal("SIGRTMIN+1"), 35);
  EXPECT_EQ(parse_signal("SIGRTMAX"), 64);
}

TEST(ParseSignal, RealTimeForms) {
  EXPECT_EQ(parse_signal("SIGRTMIN"), kRtMin);
  EXPECT_EQ(parse_signal("RTMIN"), kRtMin);
  EXPECT_EQ(parse_signal("SIGRTMIN+0"), kRtMin);
  EXPECT_EQ(parse_signal("SIGRTMIN+3"), kRtMin + 3);
  EXPECT_EQ(parse_signal("sigrtmin+3"), kRtMin + 3);
  EXPECT_EQ(parse_signal("SIGRTMAX"), kRtMax);
  EXPECT_EQ(parse_signal("SIGRTMAX-2"), kRtMax - 2);
  EXPECT_EQ(parse_signal(std::string("SIGRTMIN+") + std::to_string(kRtMax - kRtMin)), kRtMax);
}

TEST(ParseSignal, RejectsMalformedAndOutOfRange) {
  for (const char* bad :
       {"", "SIG", "FOO", "SIGFOO", "TERM ", " TERM", "1x", "-1", "+3", "SIGRTMIN-1", "SIGRTMAX+1",
        "SIGRTMIN+", "SIGRTMIN+x", "SIGRTMIN+100", "SIGRTMAX-100", "RTMIN3"}) {
    EXPECT_EQ(parse_signal(bad), std::nullopt) << "'" << bad << "'";
  }
  EXPECT_EQ(parse_signal(std::string("SIGRTMIN+") + std::to_string(kRtMax - kRtMin + 1)),
            std::nullopt);
}

TEST(SignalName, NamedRealTimeAndUnnamed) {
  EXPECT_EQ(name_of(SIGTERM), "SIGTERM");
  EXPECT_EQ(name_of(SIGABRT), "SIGABRT");
  EXPECT_EQ(name_of(SIGCHLD), "SIGCHLD");
  EXPECT_EQ(name_of(SIGIO), "SIGIO");
  EXPECT_EQ(name_of(kRtMin), "SIGRTMIN");
  EXPECT_EQ(name_of(kRtMin + 5), "SIGRTMIN+5");
  EXPECT_EQ(name_of(kRtMax), "SIGRTMIN+" + std::to_string(kRtMax - kRtMin));
}

TEST(SignalName, EveryNumberRoundTrips) {
  for (int sig = 1; sig <= kMaxSignal; ++sig) {
    EXPECT_EQ(parse_signal(name_of(sig)), sig) << name_of(sig);
  }
}

TEST(KernelSigset, AddAndHas) {
  KernelSigset set;
  set.add(1);
  set.add(64);
  set.add(0);   // ignored
  set.add(65);  // ignored
  EXPECT_TRUE(set.has(1));
  EXPECT_TRUE(set.has(64));
  EXPECT_FALSE(set.has(2));
  EXPECT_FALSE(set.has(0));
  EXPECT_EQ(set.bits, (std::uint64_t{1} << 63) | 1);
  for (int sig = 1; sig <= kMaxSignal; ++sig) EXPECT_TRUE(KernelSigset::all().has(sig));
}

struct RewriteCase {
  const char* text;
  const char* error;
};

TEST(Rewrite, IdentityByDefault) {
  SignalRewrite rewrite;
  for (int sig = 0; sig <= kMaxSignal; ++sig) EXPECT_EQ(rewrite.map(sig), sig);
}

TEST(Rewrite, NamesNumbersAndDrop) {
  SignalRewrite rewrite;
  Message error;
  ASSERT_TRUE(parse_rewrite("TERM:QUIT", rewrite, error));
  ASSERT_TRUE(parse_rewrite("10:12", rewrite, error));
  ASSERT_TRUE(parse_rewrite("SIGHUP:0", rewrite, error));
  ASSERT_TRUE(parse_rewrite("SIGRTMIN+1:SIGRTMAX", rewrite, error));
  ASSERT_TRUE(parse_rewrite("INT:KILL", rewrite, error));
  EXPECT_TRUE(error.empty());
  EXPECT_EQ(rewrite.map(SIGTERM), SIGQUIT);
  EXPECT_EQ(rewrite.map(SIGUSR1), SIGUSR2);
  EXPECT_EQ(rewrite.map(SIGHUP), 0);
  EXPECT_EQ(rewrite.map(kRtMin + 1), kRtMax);
  EXPECT_EQ(rewrite.map(SIGINT), SIGKILL);
  EXPECT_EQ(rewrite.map(SIGQUIT), SIGQUIT);  // not chained
  EXPECT_EQ(rewrite.map(SIGWINCH), SIGWINCH);
}

TEST(Rewrite, LaterEntryWins) {
  SignalRewrite rewrite;
  Message error;
  ASSERT_TRUE(parse_rewrite("TERM:QUIT", rewrite, error));
  ASSERT_TRUE(parse_rewrite("TERM:INT", rewrite, error));
  EXPECT_EQ(rewrite.map(SIGTERM), SIGINT);
}

TEST(Rewrite, ErrorsNameTheProblem) {
  const RewriteCase cases[] = {
      {"TERM", "invalid rewrite 'TERM' (expected SOURCE:TARGET, e.g. TERM:QUIT)"},
      {"", "invalid rewrite '' (expected SOURCE:TARGET, e.g. TERM:QUIT)"},
      {"FOO:TERM", "unknown signal 'FOO'"},
      {"TERM:BAR", "unknown signal 'BAR'"},
      {"TERM:", "unknown signal ''"},
      {"0:TERM", "unknown signal '0'"},
      {"TERM:65", "unknown signal '65'"},
      {"KILL:TERM", "cannot rewrite SIGKILL (husk never forwards it)"},
      {"STOP:TERM", "cannot rewrite SIGSTOP (husk never forwards it)"},
      {"CHLD:TERM", "cannot rewrite SIGCHLD (husk never forwards it)"},
  };
  for (const RewriteCase& c : cases) {
    SignalRewrite rewrite;
    Message error;
    EXPECT_FALSE(parse_rewrite(c.text, rewrite, error)) << c.text;
    EXPECT_EQ(error.view(), c.error);
  }
}

}  // namespace
}  // namespace husk
