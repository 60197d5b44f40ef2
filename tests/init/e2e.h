// Shared fixture of the end-to-end suites: each test runs once with husk as PID 1 of a new pid
// namespace and once as a subreaper child of the test, and checks that nothing escaped husk.
#pragma once

#include <sys/wait.h>

#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "harness.h"

namespace husk::test {

class E2e : public ::testing::TestWithParam<Mode> {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (pid namespaces)";
  }
  void TearDown() override {
    if (!expect_escapees_) {
      EXPECT_EQ(collect_escaped_children(), std::vector<pid_t>{}) << "processes escaped husk";
    }
  }

  Mode mode() const { return GetParam(); }
  bool pid1() const { return GetParam() == Mode::kPid1; }

  Husk start(std::vector<std::string> args, std::vector<std::string> env = {}) {
    SpawnSpec spec;
    spec.args = std::move(args);
    spec.env = std::move(env);
    return Husk::start(mode(), std::move(spec));
  }

  // Runs husk to the end and returns its wait status.
  int run(std::vector<std::string> args, std::vector<std::string> env = {}) {
    Husk husk = start(std::move(args), std::move(env));
    int status = husk.wait();
    last_err_ = husk.err();
    last_out_ = husk.out();
    return status;
  }

  bool expect_escapees_ = false;
  std::string last_out_;
  std::string last_err_;
};

inline std::string probe() { return probe_bin(); }

inline int exit_code(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }

#define HUSK_E2E_MODES(suite)                                                                     \
  INSTANTIATE_TEST_SUITE_P(                                                                       \
      Modes, suite, ::testing::Values(::husk::test::Mode::kPid1, ::husk::test::Mode::kSubreaper), \
      [](const auto& info) { return ::husk::test::mode_name(info.param); })

}  // namespace husk::test
