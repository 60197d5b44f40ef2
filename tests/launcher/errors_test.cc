// Every error of the issue's list: one line naming the thing and the reason, a non-zero exit,
// and nothing left on the host (cgroup, mount, state, process).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include <fstream>

#include "bundle.h"
#include "unique_fd.h"

namespace husk::e2e {
namespace {

// Runs the bundle and checks the failure: exit 1, stderr one line holding `message`.
void expect_failure(Bundle& bundle, const std::string& message,
                    const std::vector<std::string>& args = {}) {
  RunResult result = bundle.run(args);
  EXPECT_EQ(result.exit_code, 1) << result.err;
  EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Errors, MissingBundle) {
  HUSK_E2E_REQUIRE_ROOT();
  RunResult result = Bundle::run_launch({"/nonexistent/bundle"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "launch: error: bundle /nonexistent/bundle: No such file or directory\n");
}

TEST(Errors, MissingConfig) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.write_config();
  ::unlink((bundle.dir() + "/config.json").c_str());
  RunResult result = Bundle::run_launch({"--root", bundle.state_root(), bundle.dir()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("config.json"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("No such file or directory"), std::string::npos) << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Errors, MalformedConfig) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["user"]["uid"] = "root";
  expect_failure(bundle, "config.json: .process.user.uid: expected an unsigned integer");
  std::ofstream(bundle.dir() + "/config.json") << "{\"ociVersion\": ";
  RunResult result = Bundle::run_launch({"--root", bundle.state_root(), bundle.dir()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err.rfind("launch: error: config.json: ", 0), 0u) << result.err;
}

TEST(Errors, MissingRootfs) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["root"]["path"] = "no-such-rootfs";
  expect_failure(bundle,
                 "root.path " + bundle.dir() + "/no-such-rootfs: No such file or directory");
}

TEST(Errors, ConsoleSocketWithoutTerminal) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  expect_failure(bundle, "--console-socket: config.json has process.terminal false",
                 {"--console-socket", bundle.dir() + "/console.sock"});
}

TEST(Errors, ConsoleSocketWhereNothingListens) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["terminal"] = true;
  std::string path = bundle.dir() + "/console.sock";
  expect_failure(bundle, "--console-socket " + path + ": No such file or directory",
                 {"--console-socket", path});
  // A socket file with no listener behind it.
  UniqueFd bound(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(::bind(bound.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  expect_failure(bundle, "--console-socket " + path + ": Connection refused",
                 {"--console-socket", path});
}

// The pty comes from the container's devpts: without one, one line and nothing left.
TEST(Errors, TerminalWithoutDevpts) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["terminal"] = true;
  auto& mounts = bundle.config()["mounts"];
  for (auto it = mounts.begin(); it != mounts.end();)
    it = (*it)["destination"] == "/dev/pts" ? mounts.erase(it) : it + 1;
  expect_failure(bundle, "setting up the console: /dev/pts/ptmx: No such file or directory");
}

TEST(Errors, FieldTheHostCannotHonour) {
  HUSK_E2E_REQUIRE_ROOT();
  if (::access("/sys/fs/selinux/enforce", F_OK) == 0) GTEST_SKIP() << "this host has SELinux";
  Bundle bundle;
  bundle.config()["process"]["selinuxLabel"] = "system_u:system_r:container_t:s0";
  expect_failure(bundle, "config.json: .process.selinuxLabel: ");
}

TEST(Errors, MissingMountSource) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["mounts"].push_back({{"destination", "/mnt"},
                                       {"type", "bind"},
                                       {"source", "/nonexistent-source"},
                                       {"options", {"rbind"}}});
  expect_failure(bundle, "setting up the rootfs: ");
  RunResult result = bundle.run();
  EXPECT_NE(result.err.find("/nonexistent-source"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("No such file or directory"), std::string::npos) << result.err;
}

TEST(Errors, FailingHooks) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["hooks"]["createRuntime"] = {{{"path", "/bin/false"}}};
  expect_failure(bundle, "hooks.createRuntime[0] /bin/false: exited with status 1");
  bundle.config()["hooks"].erase("createRuntime");
  // createContainer runs in the container's namespaces, from the child: its error comes back
  // over the channel.
  bundle.config()["hooks"]["createContainer"] = {{{"path", "/bin/false"}}};
  expect_failure(bundle,
                 "running hooks: hooks.createContainer[0] /bin/false: exited with status 1");
}

TEST(Errors, NamespacePathThatIsNotANamespace) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.set_namespace("network", "/etc/hostname");
  expect_failure(bundle, "linux.namespaces: network /etc/hostname: not a namespace");
  bundle.set_namespace("network", "/proc/self/ns/ipc");
  expect_failure(bundle,
                 "linux.namespaces: network /proc/self/ns/ipc: a ipc namespace, not a net one");
}

TEST(Errors, ExecFailure) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["args"] = {"/no/such/binary"};
  expect_failure(bundle, "exec: process.args[0] \"/no/such/binary\": No such file or directory");
  bundle.config()["process"]["args"] = {"no-such-command"};
  expect_failure(bundle, "exec: process.args[0] \"no-such-command\": No such file or directory",
                 {"--no-init"});
  bundle.config()["process"]["args"] = {"/etc/passwd"};
  expect_failure(bundle, "exec: process.args[0] \"/etc/passwd\": Permission denied");
}

TEST(Errors, BadCommandLine) {
  RunResult result = Bundle::run_launch({"run"});
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_EQ(result.err, "launch: error: run: missing container ID\n");
}

TEST(Errors, JsonLog) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["root"]["path"] = "missing \"quoted\"";
  std::string log = bundle.dir() + "/log.json";
  RunResult result = bundle.run({"--log", log, "--log-format", "json"});
  EXPECT_EQ(result.exit_code, 1);
  // The log has it for an engine (containerd reads log.json), stderr for a person.
  EXPECT_EQ(result.err.rfind("launch: error: root.path ", 0), 0u) << result.err;
  std::string text = read_text(log);
  EXPECT_EQ(text.rfind(R"({"level":"error","msg":"root.path )", 0), 0u) << text;
  EXPECT_NE(text.find(R"(missing \"quoted\": No such file or directory","time":")"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace husk::e2e
