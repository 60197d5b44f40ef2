// Attacks from inside the container that must fail: writing launch's or husk's binary through
// /proc/PID/exe (CVE-2019-5736), a host fd reaching the container, a cwd through a leaked fd
// (CVE-2024-21626).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "bundle.h"

namespace husk::e2e {
namespace {

TEST(Security, ExeOfPid1AndOfTheProcessIsNotWritable) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string husk_before = read_text(Bundle::husk_path());
  std::string launch_before = read_text(Bundle::launch_path());
  ASSERT_FALSE(husk_before.empty());
  // Root in the container, all of it tried: append to and truncate PID 1's and its own exe.
  bundle.config()["process"]["capabilities"]["bounding"].push_back("CAP_DAC_OVERRIDE");
  bundle.config()["process"]["capabilities"]["effective"].push_back("CAP_DAC_OVERRIDE");
  bundle.config()["process"]["capabilities"]["permitted"].push_back("CAP_DAC_OVERRIDE");
  bundle.shell(
      "readlink /proc/1/exe; "
      "echo x >> /proc/1/exe && echo WROTE-PID1; "
      "echo x > /proc/1/exe && echo TRUNCATED-PID1; "
      "echo x >> /proc/$$/exe && echo WROTE-SELF; "
      "true");
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out.rfind("/memfd:husk", 0), 0u) << result.out;
  EXPECT_EQ(result.out.find("WROTE"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("TRUNCATED"), std::string::npos) << result.out;
  EXPECT_EQ(read_text(Bundle::husk_path()), husk_before);
  EXPECT_EQ(read_text(Bundle::launch_path()), launch_before);
}

TEST(Security, NoHostFdReachesTheContainer) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  int leaked = ::open("/etc", O_RDONLY | O_DIRECTORY);  // without O_CLOEXEC, given as fd 3
  ASSERT_GE(leaked, 0);
  // ls lists another process's fds (its own directory fd would show in /proc/self/fd). husk
  // (PID 1) holds a close-on-exec pipe until sh has been exec'd: wait (at most a second) until
  // PID 1 has only the fds it should have, then list. `true`: sh does not exec the last ls.
  const auto list_fds = [&bundle](const char* expected) {
    bundle.shell(std::string("i=0; while [ $i -lt 50 ] && ls /proc/1/fd | grep -qvx '[") +
                 expected + "]'; do sleep 0.02; i=$((i+1)); done; " +
                 "ls /proc/1/fd; ls /proc/$$/fd; true");
  };
  list_fds("012");
  RunResult result = bundle.run({}, 20000, leaked);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "0\n1\n2\n0\n1\n2\n") << result.out;
  // --preserve-fds 1 passes exactly fd 3.
  list_fds("0123");
  result = bundle.run({"--preserve-fds", "1"}, 20000, leaked);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "0\n1\n2\n3\n0\n1\n2\n3\n") << result.out;
  ::close(leaked);
}

TEST(Security, CwdThroughALeakedFdIsRefused) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  int leaked = ::open("/etc", O_RDONLY | O_DIRECTORY);
  ASSERT_GE(leaked, 0);
  bundle.config()["process"]["cwd"] = "/proc/self/fd/3";
  bundle.shell("pwd; ls");
  for (auto args : {std::vector<std::string>{}, std::vector<std::string>{"--preserve-fds", "1"}}) {
    RunResult result = bundle.run(args, 20000, leaked);
    EXPECT_EQ(result.exit_code, 1) << result.out;
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("changing to process.cwd: /proc/self/fd/3"), std::string::npos)
        << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
  ::close(leaked);
}

}  // namespace
}  // namespace husk::e2e
