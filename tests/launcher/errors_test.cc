// Every error of the issue's list: one line naming the thing and the reason, a non-zero exit,
// and nothing left on the host (cgroup, mount, state, process).
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
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

// A value from config.json cannot start a new line of launch's log (forged lines), whichever
// layer reports it: the parser, the child over the channel, a hook, the cgroup library.
TEST(Errors, ControlCharactersStayOnOneLine) {
  HUSK_E2E_REQUIRE_ROOT();
  const std::string forged = "\nlaunch: error: forged\r\x1b[2J";
  const std::string shown = R"(\nlaunch: error: forged\r\u001b[2J)";
  Bundle bundle;
  bundle.config()["process"]["args"] = {"/no/such" + forged};
  expect_failure(bundle, "exec: process.args[0] \"/no/such" + shown + "\": No such file");
  bundle.config()["process"]["args"] = {"true"};
  bundle.config()["process"]["cwd"] = "/no/dir" + forged;
  expect_failure(bundle, "changing to process.cwd: /no/dir" + shown + ": No such file");
  bundle.config()["process"]["cwd"] = "/";
  bundle.config()["hooks"]["createRuntime"] = {{{"path", "/no/hook" + forged}}};
  expect_failure(bundle, "hooks.createRuntime[0] /no/hook" + shown);
  bundle.config().erase("hooks");
  bundle.config()["mounts"].push_back({{"destination", "/mnt" + forged},
                                       {"type", "bind"},
                                       {"source", "/nonexistent" + forged},
                                       {"options", {"rbind"}}});
  expect_failure(bundle, "/nonexistent" + shown);
  bundle.config()["mounts"].erase(bundle.config()["mounts"].size() - 1);
  bundle.set_namespace("network", "/no/ns" + forged);
  expect_failure(bundle, "network /no/ns" + shown);
  bundle.set_namespace("network");
  bundle.config()["linux"]["rootfsPropagation"] = "x" + forged;
  expect_failure(bundle, "config.json: .linux.rootfsPropagation: unknown rootfs propagation \"x" +
                             shown + "\"");
}

// An escaped NUL cut C strings short: args ["/bin/echo\u0000/evil"] ran /bin/echo.
TEST(Errors, NulInAStringIsRefused) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["args"] = {std::string("/bin/echo\0/evil", 15)};
  expect_failure(bundle, R"(config.json: .process.args[0]: must not contain a NUL character, got )"
                         R"("/bin/echo\u0000/evil")");
  bundle.config()["process"]["args"] = {"true"};
  bundle.config()["hostname"] = std::string("ab\0cd", 5);
  expect_failure(bundle, "config.json: .hostname: must not contain a NUL character");
  bundle.config().erase("hostname");
  bundle.config()["mounts"].push_back(
      {{"destination", std::string("/dev/shm\0/../../x", 17)}, {"type", "tmpfs"}, {"source", "t"}});
  expect_failure(bundle, "config.json: .mounts[");
}

// A FIFO blocked launch forever; a link to /dev/zero was read until memory ran out.
TEST(Errors, ConfigThatIsNotARegularFile) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.write_config();
  std::string config = bundle.dir() + "/config.json";
  ASSERT_EQ(::unlink(config.c_str()), 0);
  ASSERT_EQ(::mkfifo(config.c_str(), 0600), 0);
  RunResult result = Bundle::run_launch({"--root", bundle.state_root(), bundle.dir()}, 5000);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err,
            "launch: error: config.json: " + config + ": not a regular file (a fifo)\n");
  ASSERT_EQ(::unlink(config.c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", config.c_str()), 0);
  result = Bundle::run_launch({"--root", bundle.state_root(), bundle.dir()}, 5000);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, "launch: error: config.json: " + config +
                            ": not a regular file (a character device)\n");
  EXPECT_EQ(bundle.leftovers(), "");
}

// state.json is JSON, which holds UTF-8 only: a bundle at a path of other bytes is refused
// before anything is made, in the foreground and by create.
TEST(Errors, BundlePathThatIsNotUtf8) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.write_config();
  const std::string odd = bundle.dir() + "/odd\xff";
  ASSERT_EQ(::mkdir(odd.c_str(), 0755), 0);
  ASSERT_EQ(::symlink("../config.json", (odd + "/config.json").c_str()), 0);
  ASSERT_EQ(::symlink("../rootfs", (odd + "/rootfs").c_str()), 0);
  const std::string expected =
      "launch: error: bundle: the path is not UTF-8; the container's state, JSON, cannot hold it\n";
  RunResult result = Bundle::run_launch({"--root", bundle.state_root(), odd});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, expected);
  result = Bundle::run_launch({"--root", bundle.state_root(), "create", "-b", odd, "odd"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.err, expected);
  EXPECT_EQ(bundle.leftovers(), "");
}

// 100,000 additionalGids made a 589 KB error line.
TEST(Errors, LongListsMakeShortLines) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  auto gids = nlohmann::json::array();
  for (int i = 0; i < 100000; ++i) gids.push_back(i);
  bundle.config()["process"]["user"]["additionalGids"] = gids;
  expect_failure(bundle,
                 "config.json: .process.user.additionalGids: 100000 entries, more than the 65536 "
                 "the kernel allows");
  RunResult result = bundle.run();
  EXPECT_LT(result.err.size(), 200u);
}

// A device number past 32 bits was reported under linux.cgroupsPath.
TEST(Errors, DeviceNumberUnderItsOwnField) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["devices"] = {
      {{"type", "c"}, {"path", "/dev/big"}, {"major", 4294967297LL}, {"minor", 1}}};
  expect_failure(bundle,
                 "config.json: .linux.devices[0].major: 4294967297 is out of range (0 to "
                 "4294967295)");
}

// Annotations over about 205 KiB were refused: "releasing the container process: Message too
// long". The state (annotations included) reaches the hooks whole.
TEST(Errors, LargeAnnotationsWork) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string big(1 << 20, 'a');
  bundle.config()["annotations"] = {{"big", big}, {"other", "x"}};
  bundle.config()["hooks"]["startContainer"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", "wc -c > /dev/shm/state-size"}}}};
  bundle.shell("cat /dev/shm/state-size");
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_GT(std::stoul(result.out.empty() ? "0" : result.out), big.size()) << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
