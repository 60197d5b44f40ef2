// End-to-end: process.terminal. The test holds a pseudo-terminal and gives its slave to launch
// as stdin and stdout, as a shell would; the container gets a pty of its own that launch relays
// to it. --console-socket hands the container's pty to a listener instead.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <sstream>

#include "bundle.h"
#include "pty.h"

namespace husk::e2e {
namespace {

using test::TestPty;

class Terminal : public ::testing::Test {
 protected:
  void SetUp() override {
    HUSK_E2E_REQUIRE_ROOT();
    if (!pty_.open()) GTEST_SKIP() << "no pseudo-terminal available";
    bundle_.config()["process"]["terminal"] = true;
  }

  Running start(const std::string& script, const std::vector<std::string>& args = {}) {
    bundle_.shell(script);
    return bundle_.start_on_terminal(pty_.slave(), args);
  }

  // Waits for launch; checks that nothing of the container is left.
  RunResult finish(Running& launch) {
    RunResult result = launch.wait();
    EXPECT_EQ(result.err, "");
    EXPECT_EQ(bundle_.leftovers(), "");
    return result;
  }

  Bundle bundle_;
  TestPty pty_;
};

TEST_F(Terminal, ContainerSeesATerminalOnItsStdioAndConsole) {
  Running launch = start(
      "tty; [ -t 0 ] && [ -t 1 ] && [ -t 2 ] && echo stdio-tty; "
      "echo console $(stat -c %t:%T /dev/console) stdin $(stat -L -c %t:%T /proc/self/fd/0); "
      "echo pid1 $(cut -d' ' -f6,7 /proc/1/stat); exit 7");
  ASSERT_TRUE(pty_.read("pid1 ")) << pty_.text();
  ASSERT_TRUE(pty_.read("\n")) << pty_.text();
  RunResult result = finish(launch);
  EXPECT_EQ(result.exit_code, 7);
  const std::string& shown = pty_.text();
  EXPECT_NE(shown.find("/dev/pts/0\r\n"), std::string::npos) << shown;
  EXPECT_NE(shown.find("stdio-tty"), std::string::npos) << shown;
  std::istringstream words(shown.substr(shown.find("console ")));
  std::string label, console, stdin_label, stdin_dev, pid1;
  long sid = 0, tty_nr = 0;
  words >> label >> console >> stdin_label >> stdin_dev >> pid1 >> sid >> tty_nr;
  ASSERT_EQ(pid1, "pid1") << shown;
  EXPECT_EQ(console, stdin_dev);
  EXPECT_EQ(console.substr(0, 3), "88:");  // 136: a pty slave
  // husk, PID 1, leads the session (sid 1) whose controlling terminal is that pty.
  EXPECT_EQ(sid, 1);
  EXPECT_EQ(tty_nr >> 8, 136);
}

TEST_F(Terminal, ForegroundJobReadsWhatIsTypedAndLaunchTerminalIsRestored) {
  termios before{};
  ASSERT_EQ(tcgetattr(pty_.slave(), &before), 0);
  ASSERT_TRUE(before.c_lflag & ECHO);
  Running launch = start("echo ready; read x; echo got $x; exit 3");
  ASSERT_TRUE(pty_.read("ready")) << pty_.text();
  termios during{};
  ASSERT_EQ(tcgetattr(pty_.slave(), &during), 0);
  EXPECT_FALSE(during.c_lflag & (ECHO | ICANON | ISIG)) << "launch's terminal is not raw";
  ASSERT_TRUE(pty_.type("hello\r"));
  EXPECT_TRUE(pty_.read("got hello")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 3);
  termios after{};
  ASSERT_EQ(tcgetattr(pty_.slave(), &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_iflag, before.c_iflag);
  EXPECT_EQ(after.c_oflag, before.c_oflag);
  EXPECT_EQ(after.c_cflag, before.c_cflag);
  EXPECT_EQ(std::memcmp(after.c_cc, before.c_cc, sizeof before.c_cc), 0);
}

// A failure once launch's terminal is raw (a startContainer hook fails): one line, the
// terminal as it was, nothing left.
TEST_F(Terminal, FailureAfterRawModeRestoresTheTerminal) {
  termios before{};
  ASSERT_EQ(tcgetattr(pty_.slave(), &before), 0);
  bundle_.config()["hooks"]["startContainer"] = {{{"path", "/bin/false"}}};
  Running launch = start("echo never");
  RunResult result = launch.wait();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("startContainer"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find('\n'), result.err.size() - 1) << "not one line: " << result.err;
  EXPECT_EQ(bundle_.leftovers(), "");
  termios after{};
  ASSERT_EQ(tcgetattr(pty_.slave(), &after), 0);
  EXPECT_EQ(after.c_lflag, before.c_lflag);
  EXPECT_EQ(after.c_oflag, before.c_oflag);
  EXPECT_EQ(pty_.text().find("never"), std::string::npos);
}

// The config `launch spec` writes (terminal: true, as runc's) runs interactively as it is.
TEST_F(Terminal, SpecConfigRunsInteractively) {
  ::unlink((bundle_.dir() + "/config.json").c_str());
  RunResult spec = Bundle::run_launch({"spec", "--bundle", bundle_.dir()});
  ASSERT_EQ(spec.exit_code, 0) << spec.err;
  nlohmann::json config = nlohmann::json::parse(read_text(bundle_.dir() + "/config.json"));
  ASSERT_EQ(config["process"]["terminal"], true);
  config["process"]["env"] = bundle_.config()["process"]["env"];  // finds leftovers
  config["linux"]["cgroupsPath"] = bundle_.cgroup_name();
  bundle_.config() = config;
  Running launch = start("echo ready; read x; echo got $x");
  ASSERT_TRUE(pty_.read("ready")) << pty_.text();
  ASSERT_TRUE(pty_.type("spec\r"));
  EXPECT_TRUE(pty_.read("got spec")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 0);
}

TEST_F(Terminal, CtrlCReachesTheForegroundJob) {
  Running launch =
      start("trap 'echo trapped; exit 42' INT; echo ready; while :; do sleep 0.1; done");
  ASSERT_TRUE(pty_.read("ready")) << pty_.text();
  ASSERT_TRUE(pty_.type("\x03"));
  EXPECT_TRUE(pty_.read("trapped")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 42);
}

// A signal sent to launch (not typed) still goes to the container: husk passes it on.
TEST_F(Terminal, SignalsToLaunchAreForwarded) {
  Running launch = start("echo ready; sleep 30");
  ASSERT_TRUE(pty_.read("ready")) << pty_.text();
  launch.signal(SIGTERM);
  EXPECT_EQ(finish(launch).exit_code, 128 + SIGTERM);
}

// Without husk, process.args leads the session: `read` works as the foreground job too.
TEST_F(Terminal, WithoutInitTheProcessLeadsTheSession) {
  Running launch =
      start("echo sid $(cut -d' ' -f6 /proc/1/stat); read x; echo got $x", {"--no-init"});
  // The whole line before typing: typed keys echo at once and would land inside it.
  ASSERT_TRUE(pty_.read("sid 1\r\n")) << pty_.text();
  ASSERT_TRUE(pty_.type("line\r"));
  EXPECT_TRUE(pty_.read("got line")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 0);
  EXPECT_NE(pty_.text().find("sid 1\r\n"), std::string::npos) << pty_.text();
}

// In a user namespace, as a non-root user: the terminal (and /dev/console) belongs to that user.
TEST_F(Terminal, UserNamespaceAndAnUnprivilegedUser) {
  bundle_.set_namespace("user");
  bundle_.config()["linux"]["uidMappings"] = {
      {{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  bundle_.config()["linux"]["gidMappings"] = {
      {{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  bundle_.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  Running launch =
      start("echo owner $(stat -c %u /dev/console) $(stat -L -c %u /proc/self/fd/0); tty");
  ASSERT_TRUE(pty_.read("/dev/pts/0")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 0);
  EXPECT_NE(pty_.text().find("owner 1000 1000"), std::string::npos) << pty_.text();
}

TEST_F(Terminal, ConsoleSizeIsHonoured) {
  pty_.set_size(40, 120);
  bundle_.config()["process"]["consoleSize"] = {{"height", 33}, {"width", 101}};
  Running launch = start("stty size");
  ASSERT_TRUE(pty_.read("\n")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 0);
  EXPECT_NE(pty_.text().find("33 101"), std::string::npos) << pty_.text();
}

TEST_F(Terminal, SizeFollowsLaunchTerminal) {
  pty_.set_size(40, 120);
  Running launch = start("stty size; read x; stty size");
  ASSERT_TRUE(pty_.read("40 120")) << pty_.text();
  pty_.set_size(50, 130);
  launch.signal(SIGWINCH);
  usleep(100 * 1000);  // launch handles the signal before the line typed next
  ASSERT_TRUE(pty_.type("\r"));
  EXPECT_TRUE(pty_.read("50 130")) << pty_.text();
  EXPECT_EQ(finish(launch).exit_code, 0);
}

TEST_F(Terminal, OutputWrittenJustBeforeExitIsNotLost) {
  Running launch = start("seq 1 20000; echo the-end");
  EXPECT_TRUE(pty_.read("20000\r\nthe-end", 10000)) << pty_.text().size();
  EXPECT_EQ(finish(launch).exit_code, 0);
}

// Without a pid namespace or husk, a process left behind keeps writing to the terminal: launch
// stops draining it after a bound, and removes it with the cgroup.
TEST_F(Terminal, ALeftoverWriterDoesNotHoldLaunch) {
  bundle_.remove_namespace("pid");
  // The writer ignores the SIGHUP it gets when the session leader exits.
  Running launch = start(
      "(trap '' HUP; while :; do echo bg; sleep 0.05; done) & echo fg-done; exit 6", {"--no-init"});
  ASSERT_TRUE(pty_.read("fg-done")) << pty_.text();
  auto begin = std::chrono::steady_clock::now();
  EXPECT_EQ(finish(launch).exit_code, 6);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(3));
}

// Without a terminal on launch's side: stdin at end-of-file does not stop the container.
TEST_F(Terminal, StdinAtEndOfFile) {
  bundle_.shell("tty; echo out; exit 5");
  RunResult result = bundle_.run();
  EXPECT_EQ(result.exit_code, 5) << result.err;
  EXPECT_EQ(result.out, "/dev/pts/0\r\nout\r\n");
  EXPECT_EQ(bundle_.leftovers(), "");
}

TEST_F(Terminal, ConsoleSocketReceivesThePty) {
  std::string path = bundle_.dir() + "/console.sock";
  UniqueFd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
  ASSERT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(listener.get(), 1), 0);
  bundle_.config()["process"]["consoleSize"] = {{"height", 24}, {"width", 90}};
  bundle_.shell("stty size; read x; echo got $x; exit 4");
  Running launch = bundle_.start({"--console-socket", path});
  UniqueFd connection(accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(connection);
  std::string name;
  UniqueFd master(receive_fd(connection.get(), name));
  ASSERT_TRUE(master) << "no fd received";
  EXPECT_EQ(name, "/dev/pts/0");
  std::string shown;
  ASSERT_TRUE(test::read_until(master.get(), shown, "24 90", 5000)) << shown;
  ASSERT_EQ(write(master.get(), "hi\r", 3), 3);
  EXPECT_TRUE(test::read_until(master.get(), shown, "got hi", 5000)) << shown;
  RunResult result = launch.wait();
  EXPECT_EQ(result.exit_code, 4) << result.err;
  EXPECT_EQ(result.out, "");  // launch relays nothing
  EXPECT_EQ(bundle_.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
