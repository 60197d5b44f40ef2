// End-to-end: the services' output. Without log-prefix it passes through byte for byte; with it
// every line comes out whole as "NAME: LINE" on the stream it was written to, two services'
// lines never mix, a long line comes in prefixed pieces, a partial last line is ended; a service
// flooding its output while husk's stdout is a full pipe nobody reads never stops husk from
// reaping, restarting and stopping; no service sees another's pipes; bad values are one line.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "e2e.h"

namespace husk::test {
namespace {

class Output : public E2e {
 protected:
  std::string dir() const { return tmp_.path() + "/services"; }
  std::string control() const { return tmp_.path() + "/ctl.sock"; }
  std::string events() const { return tmp_.path() + "/events"; }

  // DIR/NAME/run: a shell script running `body`; DIR/NAME/config: `config`.
  void add(const std::string& name, const std::string& body, const std::string& config = "") {
    mkdir(dir().c_str(), 0755);
    const std::string service = dir() + "/" + name;
    mkdir(service.c_str(), 0755);
    std::ofstream(service + "/run") << "#!/bin/sh\n" << body << "\n";
    chmod((service + "/run").c_str(), 0755);
    if (!config.empty()) std::ofstream(service + "/config") << config;
  }

  int count_events(const std::string& word) const {
    std::ifstream in(events());
    int n = 0;
    for (std::string line; std::getline(in, line);) n += line == word;
    return n;
  }

  std::vector<std::string> args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> out = {"--control", control()};
    out.insert(out.end(), extra.begin(), extra.end());
    out.push_back("-S");
    out.push_back(dir());
    return out;
  }

  TempDir tmp_;
};
HUSK_E2E_MODES(Output);

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// `text` without its one line `line` (empty when it is not there exactly once).
std::string without_line(const std::string& text, const std::string& line) {
  std::string out;
  int found = 0;
  for (const std::string& l : split_lines(text)) {
    if (l == line) {
      ++found;
    } else {
      out += l + "\n";
    }
  }
  return found == 1 ? out : "";
}

// No log-prefix: the service writes to husk's own stdout and stderr, whatever the bytes.
TEST_P(Output, WithoutPrefixOutputPassesThroughByteForByte) {
  add("a",
      "printf 'one\\n\\ntwo \\001\\377\\r\\n'; printf 'err\\n' >&2; printf 'no newline'; "
      "printf 'partial' >&2",
      "restart=never\n");
  int status = run(args());
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << last_err_;
  EXPECT_EQ(last_out_, "one\n\ntwo \001\377\r\nno newline");
  EXPECT_EQ(last_err_, "err\npartial");
}

TEST_P(Output, WithPrefixEachLineGoesToItsOwnStreamWithTheServiceName) {
  add("alpha", "printf 'one\\n\\ntwo \\001\\n'; echo warning >&2; echo three", "restart=never\n");
  add("beta", "echo raw; echo raw-err >&2", "restart=never\nlog-prefix=no\n");
  int status = run(args({"--log-prefix"}));
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << last_err_;
  // The two run at once: beta's line may come anywhere between alpha's, whole.
  EXPECT_EQ(without_line(last_out_, "raw"), "alpha: one\nalpha: \nalpha: two \001\nalpha: three\n")
      << last_out_;
  EXPECT_EQ(without_line(last_err_, "raw-err"), "alpha: warning\n") << last_err_;
}

TEST_P(Output, TheKeyAloneTurnsItOnForOneService) {
  add("a", "echo from-a", "restart=never\nlog-prefix=yes\n");
  add("b", "echo from-b", "restart=never\n");
  int status = run(args());
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << last_err_;
  EXPECT_EQ(without_line(last_out_, "from-b"), "a: from-a\n") << last_out_;
}

TEST_P(Output, APlainCommandWithTheFlagIsTheServiceMain) {
  int status = run({"--control", control(), "--log-prefix", "--", "/bin/sh", "-c",
                    "echo hello; echo oops >&2; exit 5"});
  EXPECT_EQ(exit_code(status), 5) << describe_status(status);
  EXPECT_EQ(last_out_, "main: hello\n");
  EXPECT_EQ(last_err_, "main: oops\n");
}

// Two services writing lines in pieces at the same time: every line arrives whole, each
// service's lines in order.
TEST_P(Output, TwoServicesWritingAtOnceKeepTheirLinesWhole) {
  constexpr int kLines = 400;
  const std::string loop = "i=0; while [ $i -lt " + std::to_string(kLines) +
                           " ]; do printf \"%s-$i-\" \"$NAME\"; printf 'aaaaaaaaaaaaaaaaaaaa'; "
                           "printf 'bbbbbbbbbbbbbbbbbbbb\\n'; i=$((i+1)); done";
  add("one", "NAME=one; " + loop, "restart=never\n");
  add("two", "NAME=two; " + loop, "restart=never\n");
  int status = run(args({"--log-prefix"}));
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << last_err_;
  std::map<std::string, int> next = {{"one", 0}, {"two", 0}};
  for (const std::string& line : split_lines(last_out_)) {
    const std::string name = line.substr(0, line.find(':'));
    ASSERT_TRUE(next.count(name)) << "a mixed line: '" << line << "'";
    ASSERT_EQ(line, name + ": " + name + "-" + std::to_string(next[name]) + "-" +
                        std::string(20, 'a') + std::string(20, 'b'));
    ++next[name];
  }
  EXPECT_EQ(next["one"], kLines);
  EXPECT_EQ(next["two"], kLines);
}

// A line longer than husk's buffer (512 bytes) comes in pieces, each prefixed; a partial last
// line is ended with a newline when the service ends, and a restarted service keeps its pipe.
TEST_P(Output, ALongLineInPiecesAndAPartialLastLineEnded) {
  add("long", "printf '%01300d\\n' 7; printf 'end without newline'; printf 'err-part' >&2",
      "restart=never\nlog-prefix=yes\n");
  int status = run(args());
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << last_err_;
  const std::string digits = std::string(1299, '0') + "7";
  EXPECT_EQ(last_out_, "long: " + digits.substr(0, 512) + "\nlong: " + digits.substr(512, 512) +
                           "\nlong: " + digits.substr(1024) + "\nlong: end without newline\n");
  EXPECT_EQ(last_err_, "long: err-part\n");
}

TEST_P(Output, ARestartedServiceKeepsPrefixingEveryRun) {
  add("again", "echo run; echo $$ >> " + events() + "; printf 'tail'; exit 1",
      "backoff=0.05\nrestart-limit=2\nlog-prefix=yes\n");
  int status = run(args());
  EXPECT_EQ(exit_code(status), 1) << describe_status(status) << last_err_;
  EXPECT_EQ(last_out_,
            "again: run\nagain: tail\nagain: run\nagain: tail\nagain: run\nagain: tail\n");
}

// husk's stdout a full pipe nobody reads, a service flooding its own: husk drops and counts the
// lines and keeps reaping, restarting and stopping.
TEST_P(Output, FloodIntoAFullStdoutNeverBlocksHusk) {
  FullPipe stdout_pipe = full_pipe();
  ASSERT_TRUE(stdout_pipe.write_end);
  add("flood", "exec yes 'a line of output that nobody will ever read'", "log-prefix=yes\n");
  add("crash", "echo start >> " + events() + "; echo crashing; sleep 0.1; exit 1",
      "backoff=0.05\nrestart-limit=0\nlog-prefix=yes\n");
  SpawnSpec spec;
  spec.args = args();
  spec.stdout_fd = stdout_pipe.write_end.get();
  Husk husk = Husk::start(mode(), spec);
  const long long deadline = now_ms() + 10000;
  while (count_events("start") < 5 && now_ms() < deadline) husk.read_for(50);
  EXPECT_GE(count_events("start"), 5) << "the crashing service was not restarted\n" << husk.err();
  const long long stop = now_ms();
  husk.signal(SIGTERM);
  int status = husk.wait(10000);
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << husk.err();
  EXPECT_LT(now_ms() - stop, 5000);
  EXPECT_NE(husk.err().find(" lines of service output dropped: stdout was full"), std::string::npos)
      << husk.err();
}

// The pipes are close-on-exec in husk: a service sees its own stdout and stderr, nothing more.
TEST_P(Output, NoServiceSeesAnotherServicesPipes) {
  add("a", "exec sleep 1000", "log-prefix=yes\n");
  add("b", "exec sleep 1000", "log-prefix=yes\n");
  add("c", "exec " + probe() + " status", "restart=never\nmain=yes\nlog-prefix=yes\n");
  int status = run(args());
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << last_err_;
  std::vector<std::string> fds;
  for (const std::string& line : split_lines(last_out_)) {
    if (line.rfind("c: fd ", 0) == 0) fds.push_back(line.substr(6));
  }
  EXPECT_EQ(fds, (std::vector<std::string>{"0", "1", "2"})) << last_out_;
}

TEST_P(Output, ABadValueIsOneLineNamingTheService) {
  add("web", "exit 0", "log-prefix=maybe\n");
  int status = run(args());
  EXPECT_EQ(exit_code(status), 1) << describe_status(status);
  EXPECT_EQ(last_err_,
            "husk: service 'web': config line 1: log-prefix: expected yes or no, got 'maybe'\n");
  add("api", "exit 0");
  std::remove((dir() + "/web/config").c_str());
  status = run(args({"--set", "api:log-prefix=often"}));
  EXPECT_EQ(exit_code(status), 1) << describe_status(status);
  EXPECT_EQ(last_err_,
            "husk: service 'api': option --set: log-prefix: expected yes or no, got 'often'\n");
}

TEST_P(Output, ValgrindClean) {
  if (access("/usr/bin/valgrind", X_OK) != 0) GTEST_SKIP() << "valgrind is not installed";
  add("a", "printf '%01300d\\n' 1; echo err >&2; printf partial; exit 1",
      "backoff=0.05\nrestart-limit=1\n");
  add("b", "echo b", "restart=never\n");
  SpawnSpec spec;
  spec.wrapper = {"/usr/bin/valgrind", "-q", "--vgdb=no", "--error-exitcode=99",
                  "--leak-check=full"};
  spec.args = args({"--log-prefix"});
  Husk husk = Husk::start(mode(), spec);
  int status = husk.wait(60000);
  EXPECT_EQ(exit_code(status), 1) << husk.err();
  EXPECT_EQ(husk.err().find("=="), std::string::npos) << husk.err();
  EXPECT_NE(husk.out().find("a: partial\n"), std::string::npos) << husk.out();
  EXPECT_NE(husk.out().find("b: b\n"), std::string::npos) << husk.out();
}

}  // namespace
}  // namespace husk::test
