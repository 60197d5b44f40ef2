// The hook runner against real processes (suite 'e2e'): state on stdin, args and env as given,
// failures and timeouts reported in one line.
#include "hooks.h"

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace husk::process {
namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class Hooks : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/husk-hooks-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr);
    dir_ = dir_template;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

const std::string kState = R"({"ociVersion":"1.2.0","id":"c1","status":"creating","pid":7})";

TEST_F(Hooks, StateOnStdinArgsAndEnv) {
  const std::string out = dir_ + "/out";
  setenv("HUSK_HOOK_LEAK", "1", 1);  // our environment must not reach the hook
  oci::Hook hook{
      "/bin/sh",
      {"sh", "-c",
       "cat > \"$1\"; echo \"$0 $2 FOO=$FOO LEAK=${HUSK_HOOK_LEAK:-unset}\" > \"$1.args\"", "first",
       out, "second"},
      {"FOO=bar"},
      5};
  Status status = run_hooks({hook, hook}, "createRuntime", kState);
  ASSERT_TRUE(status.ok()) << status.error().text();
  EXPECT_EQ(slurp(out), kState);
  EXPECT_EQ(slurp(out + ".args"), "first second FOO=bar LEAK=unset\n");
}

TEST_F(Hooks, NoArgsMeansThePathIsArgvZero) {
  const std::string script = dir_ + "/hook.sh";
  std::ofstream(script) << "#!/bin/sh\necho \"$0\" > " << dir_ << "/argv0\n";
  std::filesystem::permissions(script, std::filesystem::perms::owner_all);
  ASSERT_TRUE(run_hooks({{script, {}, {}, std::nullopt}}, "prestart", kState).ok());
  EXPECT_EQ(slurp(dir_ + "/argv0"), script + "\n");
}

TEST_F(Hooks, AFailingHookStopsTheList) {
  const std::string marker = dir_ + "/third-ran";
  std::vector<oci::Hook> hooks = {{"/bin/true", {"true"}, {}, std::nullopt},
                                  {"/bin/false", {"false"}, {}, std::nullopt},
                                  {"/bin/touch", {"touch", marker}, {}, std::nullopt}};
  EXPECT_EQ(run_hooks(hooks, "prestart", kState).error().text(),
            "hooks.prestart[1] /bin/false: exited with status 1");
  EXPECT_FALSE(std::filesystem::exists(marker));
}

TEST_F(Hooks, ATimedOutHookIsKilled) {
  auto start = std::chrono::steady_clock::now();
  Status status = run_hooks({{"/bin/sleep", {"sleep", "30"}, {}, 1}}, "createRuntime", kState);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(status.error().text(), "hooks.createRuntime[0] /bin/sleep: timed out after 1s");
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_GE(elapsed, std::chrono::milliseconds(900));
}

TEST_F(Hooks, ExecFailureAndSignals) {
  EXPECT_EQ(
      run_hooks({{dir_ + "/missing", {}, {}, std::nullopt}}, "poststart", kState).error().text(),
      "hooks.poststart[0] " + dir_ + "/missing: exec: No such file or directory");
  EXPECT_EQ(
      run_hooks({{"/bin/sh", {"sh", "-c", "kill -TERM $$"}, {}, std::nullopt}}, "poststop", kState)
          .error()
          .text(),
      "hooks.poststop[0] /bin/sh: killed by signal 15 (SIGTERM)");
}

TEST_F(Hooks, AHookThatIgnoresStdinDoesNotBlockUs) {
  std::string big_state(1 << 20, 'x');  // far more than a pipe holds
  Status status = run_hooks({{"/bin/true", {"true"}, {}, 5}}, "startContainer", big_state);
  EXPECT_TRUE(status.ok()) << status.error().text();
}

TEST_F(Hooks, OutputGoesToOurStderrNotOurStdout) {
  // In a child whose stdout and stderr are files: the hook's two streams both land in stderr.
  const std::string out = dir_ + "/stdout", err = dir_ + "/stderr";
  pid_t pid = fork();
  if (pid == 0) {
    if (freopen(out.c_str(), "w", stdout) == nullptr ||
        freopen(err.c_str(), "w", stderr) == nullptr)
      _exit(2);
    Status status = run_hooks(
        {{"/bin/sh", {"sh", "-c", "echo to-stdout; echo to-stderr >&2"}, {}, std::nullopt}},
        "poststart", kState);
    _exit(status.ok() ? 0 : 1);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  ASSERT_EQ(status, 0);
  EXPECT_EQ(slurp(out), "");
  EXPECT_EQ(slurp(err), "to-stdout\nto-stderr\n");
}

}  // namespace
}  // namespace husk::process
