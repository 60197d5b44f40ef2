#include "service_spec.h"

#include <gtest/gtest.h>

#include <string>

namespace husk {
namespace {

// Parses `text` into a fresh spec; returns "" or the error line.
std::string parse(const std::string& text, ServiceSpec& spec) {
  Message error;
  bool ok = parse_service_config(spec, text, error);
  EXPECT_EQ(ok, error.empty());
  return std::string(error.view());
}

TEST(ServiceSpec, DefaultsRestartAlwaysAndMainNever) {
  ServiceSpec spec;
  EXPECT_EQ(spec.effective_restart(), Restart::kAlways);
  EXPECT_FALSE(spec.stops_on_give_up());
  spec.main = true;
  EXPECT_EQ(spec.effective_restart(), Restart::kNever);
  EXPECT_TRUE(spec.stops_on_give_up());
  EXPECT_EQ(spec.backoff_ms, 100);
  EXPECT_EQ(spec.backoff_factor_pct, 200);
  EXPECT_EQ(spec.restart_limit, 10);
  EXPECT_EQ(spec.stop_signal, SIGTERM);
  EXPECT_FALSE(spec.waits_for_readiness());
}

TEST(ServiceSpec, ParsesEveryKey) {
  ServiceSpec spec;
  EXPECT_EQ(parse("# a comment\n"
                  "restart = on-failure\n"
                  "\n"
                  "backoff=0.25\r\n"
                  "  backoff-factor=1.5\n"
                  "backoff-max=30\n"
                  "backoff-reset=2\n"
                  "restart-limit=0\n"
                  "restart-window=120\n"
                  "main=yes\n"
                  "on-give-up=continue\n"
                  "stop-signal=SIGQUIT\n"
                  "stop-grace=0.5\n"
                  "ready-fd=5\n"
                  "ready-timeout=3\n"
                  "log-prefix=yes",
                  spec),
            "");
  EXPECT_EQ(spec.restart, Restart::kOnFailure);
  EXPECT_EQ(spec.effective_restart(), Restart::kOnFailure);  // set explicitly, main or not
  EXPECT_EQ(spec.backoff_ms, 250);
  EXPECT_EQ(spec.backoff_factor_pct, 150);
  EXPECT_EQ(spec.backoff_max_ms, 30000);
  EXPECT_EQ(spec.backoff_reset_ms, 2000);
  EXPECT_EQ(spec.restart_limit, 0);
  EXPECT_EQ(spec.restart_window_ms, 120000);
  EXPECT_TRUE(spec.main);
  EXPECT_FALSE(spec.stops_on_give_up());
  EXPECT_EQ(spec.stop_signal, SIGQUIT);
  EXPECT_EQ(spec.stop_grace_ms, 500);
  EXPECT_EQ(spec.ready_fd, 5);
  EXPECT_EQ(spec.ready_timeout_ms, 3000);
  EXPECT_TRUE(spec.waits_for_readiness());
  EXPECT_TRUE(spec.log_prefix);
  EXPECT_TRUE(spec.log_prefix_set);
}

TEST(ServiceSpec, LogPrefixIsOffUnlessSaid) {
  ServiceSpec spec;
  EXPECT_FALSE(spec.log_prefix);
  EXPECT_FALSE(spec.log_prefix_set);
  EXPECT_EQ(parse("log-prefix=no\n", spec), "");
  EXPECT_FALSE(spec.log_prefix);
  EXPECT_TRUE(spec.log_prefix_set);
  EXPECT_EQ(parse("log-prefix = true", spec), "");
  EXPECT_TRUE(spec.log_prefix);
}

TEST(ServiceSpec, ReadyFile) {
  ServiceSpec spec;
  EXPECT_EQ(parse("ready-file=/run/app.ready\n", spec), "");
  EXPECT_STREQ(spec.ready_file, "/run/app.ready");
  EXPECT_TRUE(spec.waits_for_readiness());
  EXPECT_EQ(parse("ready-file=" + std::string(200, 'x'), spec),
            "line 1: ready-file: expected a path of at most 99 bytes");
}

TEST(ServiceSpec, ErrorsNameTheLineAndTheProblem) {
  ServiceSpec spec;
  EXPECT_EQ(parse("restart=always\nrestrat=always\n", spec), "line 2: unknown key 'restrat'");
  EXPECT_EQ(parse("backoff=soon", spec),
            "line 1: backoff: invalid duration 'soon' (expected seconds, e.g. 5 or 0.5)");
  EXPECT_EQ(parse("stop-grace=-1", spec),
            "line 1: stop-grace: invalid duration '-1' (expected seconds, e.g. 5 or 0.5)");
  EXPECT_EQ(parse("restart=sometimes", spec),
            "line 1: restart: expected never, on-failure or always, got 'sometimes'");
  EXPECT_EQ(parse("main=maybe", spec), "line 1: main: expected yes or no, got 'maybe'");
  EXPECT_EQ(parse("\nlog-prefix=sometimes", spec),
            "line 2: log-prefix: expected yes or no, got 'sometimes'");
  EXPECT_EQ(parse("stop-signal=SIGFOO", spec), "line 1: stop-signal: unknown signal 'SIGFOO'");
  EXPECT_EQ(parse("ready-fd=1", spec),
            "line 1: ready-fd: expected a descriptor number from 3 to 1023, got '1'");
  EXPECT_EQ(parse("backoff-factor=0.5", spec),
            "line 1: backoff-factor: expected a number from 1 to 100, e.g. 2 or 1.5, got '0.5'");
  EXPECT_EQ(parse("on-give-up=later", spec),
            "line 1: on-give-up: expected stop or continue, got 'later'");
  EXPECT_EQ(parse("just words", spec), "line 1: expected KEY=VALUE, got 'just words'");
  EXPECT_EQ(parse("restart-limit=many", spec),
            "line 1: restart-limit: expected a count (0: no limit), got 'many'");
}

TEST(ServiceSpec, Names) {
  EXPECT_TRUE(valid_service_name("web"));
  EXPECT_TRUE(valid_service_name("10-php.fpm_2"));
  EXPECT_FALSE(valid_service_name(""));
  EXPECT_FALSE(valid_service_name(".hidden"));
  EXPECT_FALSE(valid_service_name("a b"));
  EXPECT_FALSE(valid_service_name("a:b"));
  EXPECT_FALSE(valid_service_name(std::string(32, 'a')));
  EXPECT_TRUE(valid_service_name(std::string(31, 'a')));
}

}  // namespace
}  // namespace husk
