// End-to-end: husk supervising several services (-S DIR, --service): restart with a growing
// backoff and giving up, the main service's exit, SIGTERM stopping in reverse order with each
// service's grace, SIGHUP to every service, readiness order and timeout, husk ctl from inside
// the pid namespace, and bad input refused before anything starts.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "e2e.h"

namespace husk::test {
namespace {

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// A services directory and an event log the service scripts append to: one line per event,
// "<event> <name> <pid-in-namespace> <uptime-seconds>".
class Services : public E2e {
 protected:
  std::string dir() const { return tmp_.path() + "/services"; }
  std::string log_path() const { return tmp_.path() + "/events"; }
  std::string control() const { return tmp_.path() + "/ctl.sock"; }

  // DIR/NAME/run: `body` after a prologue defining `note EVENT` (appends an event line).
  void add(const std::string& name, const std::string& body, const std::string& config = "") {
    mkdir(dir().c_str(), 0755);
    std::string service = dir() + "/" + name;
    mkdir(service.c_str(), 0755);
    std::ofstream(service + "/run") << "#!/bin/sh\n"
                                    << "note() { read t _ < /proc/uptime; echo \"$1 " << name
                                    << " $$ $t\" >> " << log_path() << "; }\n"
                                    << body << "\n";
    chmod((service + "/run").c_str(), 0755);
    if (!config.empty()) std::ofstream(service + "/config") << config;
  }

  struct Event {
    std::string what, name;
    long pid;
    double time;
  };
  std::vector<Event> events() const {
    std::vector<Event> out;
    std::ifstream in(log_path());
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      Event e{};
      if (fields >> e.what >> e.name >> e.pid >> e.time) out.push_back(e);
    }
    return out;
  }
  std::vector<Event> events(const std::string& what, const std::string& name) const {
    std::vector<Event> out;
    for (const Event& e : events()) {
      if (e.what == what && e.name == name) out.push_back(e);
    }
    return out;
  }
  // "what name" in log order; only the events `what` when it is given.
  std::vector<std::string> sequence(const std::string& what = "") const {
    std::vector<std::string> out;
    for (const Event& e : events()) {
      if (what.empty() || e.what == what) out.push_back(e.what + " " + e.name);
    }
    return out;
  }
  bool wait_for_events(const std::string& what, const std::string& name, std::size_t count,
                       int timeout_ms = 10000) const {
    const long long deadline = now_ms() + timeout_ms;
    while (events(what, name).size() < count) {
      if (now_ms() > deadline) return false;
      sleep_ms(20);
    }
    return true;
  }

  Husk start_services(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--control", control(), "-S", dir()};
    args.insert(args.end(), extra.begin(), extra.end());
    return start(args);
  }

  // `husk ctl ARGS` from inside husk's pid and mount namespaces, as `docker exec` would run it.
  // Returns the exit code; the output in `output`.
  int ctl(const Husk& husk, const std::vector<std::string>& args, std::string& output) const {
    std::string command;
    if (pid1()) command = "nsenter -t " + std::to_string(husk.pid()) + " -p -m -- ";
    command += husk_bin() + " ctl --control " + control();
    for (const std::string& a : args) command += " " + a;
    command += " 2>&1";
    output.clear();
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return -1;
    char buffer[4096];
    for (std::size_t n; (n = fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
    int status = pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  TempDir tmp_;
};
HUSK_E2E_MODES(Services);

TEST_P(Services, CrasherIsGivenUpSteadyKeepsItsPidMainEndsAll) {
  add("10-crash", "note start; sleep 0.2; note exit; exit 1",
      "backoff=0.2\nbackoff-factor=2\nrestart-limit=3\n");
  add("20-steady", "trap 'note stop; exit 0' TERM\nnote start\nsleep 1000 & wait",
      "stop-grace=3\n");
  add("25-other", "trap 'note stop; exit 0' TERM\nnote start\nsleep 1000 & wait");
  add("30-main",
      "note start\nwhile [ ! -e " + tmp_.path() +
          "/finish ]; do sleep 0.05; done\n"
          "note exit; exit 7",
      "main=yes\n");
  Husk husk = start_services();
  ASSERT_TRUE(husk.wait_for_error("service '10-crash' given up", 15000)) << husk.err();
  std::ofstream(tmp_.path() + "/finish") << "";
  int status = husk.wait(15000);
  EXPECT_EQ(exit_code(status), 7) << describe_status(status) << "\n" << husk.err();

  // 1 start + 3 restarts, after 0.2, 0.4 and 0.8 s: never earlier (uptime has a 10 ms
  // resolution), and the last gap well above the first.
  std::vector<Event> starts = events("start", "10-crash");
  std::vector<Event> exits = events("exit", "10-crash");
  ASSERT_EQ(starts.size(), 4u) << husk.err();
  ASSERT_EQ(exits.size(), 4u);
  std::vector<double> gaps;
  for (int k = 0; k < 3; ++k) {
    gaps.push_back(starts[k + 1].time - exits[k].time);
    EXPECT_GE(gaps[k], 0.2 * (1 << k) - 0.011) << "restart " << k + 1;
  }
  EXPECT_GT(gaps[2], gaps[0] + 0.3);
  for (int k = 1; k <= 3; ++k) {
    std::string line = "husk: service '10-crash' exited with code 1: restart " + std::to_string(k) +
                       " in " + std::to_string(100 << k) + " ms\n";
    EXPECT_NE(husk.err().find(line), std::string::npos) << line << husk.err();
  }
  EXPECT_EQ(events("start", "20-steady").size(), 1u) << "the steady service was restarted";
  // The main's exit stopped the others (TERM, trapped) in reverse order.
  EXPECT_EQ(sequence("stop"), (std::vector<std::string>{"stop 25-other", "stop 20-steady"}));
  EXPECT_NE(husk.err().find("husk: service '10-crash' given up: exited with code 1 after 3 "
                            "restarts within"),
            std::string::npos)
      << husk.err();
}

TEST_P(Services, SigtermStopsInReverseOrderWithEachGrace) {
  add("10-first", "trap 'kill $!; note stop; exit 0' TERM\nnote start\nsleep 1000 & wait");
  add("20-slow", "trap 'kill $!; sleep 1; note stop; exit 0' TERM\nnote start\nsleep 1000 & wait");
  add("30-stubborn", "trap '' TERM\nnote start\nsleep 1000 & wait", "stop-grace=0.5\n");
  Husk husk = start_services();
  ASSERT_TRUE(wait_for_events("start", "30-stubborn", 1)) << husk.err();
  const long long before = now_ms();
  husk.signal(SIGTERM);
  int status = husk.wait(15000);
  const long long took = now_ms() - before;
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << "\n" << husk.err();
  // Started without readiness, the three scripts may log their start in any order; the stops
  // come one after the other, the last started first (30-stubborn is killed: no line).
  EXPECT_EQ(sequence("stop"), (std::vector<std::string>{"stop 20-slow", "stop 10-first"}));
  EXPECT_EQ(sequence().size(), 5u);
  EXPECT_NE(husk.err().find("husk: service '30-stubborn' still running 500 ms after its stop "
                            "signal: SIGKILL"),
            std::string::npos)
      << husk.err();
  EXPECT_GE(took, 1400);  // 0.5 s grace, then the 1 s trap
  EXPECT_LT(took, 6000);  // far below the sum of the default graces (3 x 5 s)
}

TEST_P(Services, SighupReachesEveryService) {
  for (std::string name : {"a", "b", "c"}) {
    add(name,
        "trap 'note hup' HUP\ntrap 'exit 0' TERM\nnote start\n"
        "while :; do sleep 0.1; done");
  }
  Husk husk = start_services();
  for (std::string name : {"a", "b", "c"}) ASSERT_TRUE(wait_for_events("start", name, 1));
  husk.signal(SIGHUP);
  for (std::string name : {"a", "b", "c"}) {
    EXPECT_TRUE(wait_for_events("hup", name, 1, 5000)) << name << " got no SIGHUP";
  }
  EXPECT_EQ(events("start", "a").size(), 1u) << "SIGHUP must not restart a service";
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0) << husk.err();
}

TEST_P(Services, OtherSignalsGoToTheMainServiceOrWithSignalAllToEvery) {
  for (std::string name : {"a", "b"}) {
    add(name,
        "trap 'note usr1' USR1\ntrap 'exit 0' TERM\nnote start\n"
        "while :; do sleep 0.1; done",
        name == "b" ? "main=yes\n" : "");
  }
  for (bool all : {false, true}) {
    std::remove(log_path().c_str());
    Husk husk =
        start_services(all ? std::vector<std::string>{"--signal-all"} : std::vector<std::string>{});
    for (std::string name : {"a", "b"}) ASSERT_TRUE(wait_for_events("start", name, 1));
    husk.signal(SIGUSR1);
    EXPECT_TRUE(wait_for_events("usr1", "b", 1, 5000)) << "the main service got no SIGUSR1";
    if (all) {
      EXPECT_TRUE(wait_for_events("usr1", "a", 1, 5000)) << "--signal-all: a got none";
    }
    sleep_ms(300);
    EXPECT_EQ(events("usr1", "a").size(), all ? 1u : 0u);
    husk.signal(SIGTERM);
    EXPECT_EQ(exit_code(husk.wait()), 0) << husk.err();  // the main one's status: its trap's 0
  }
}

TEST_P(Services, LaterServicesWaitForReadiness) {
  add("10-fd", "note start; sleep 0.4; note ready; echo >&5; exec sleep 1000", "ready-fd=5\n");
  add("20-file",
      "note start; sleep 0.4; note ready; touch " + tmp_.path() +
          "/ready\n"
          "exec sleep 1000",
      "ready-file=" + tmp_.path() + "/ready\n");
  add("30-last", "note start; exec sleep 1000");
  Husk husk = start_services();
  ASSERT_TRUE(wait_for_events("start", "30-last", 1)) << husk.err();
  EXPECT_EQ(sequence(), (std::vector<std::string>{"start 10-fd", "ready 10-fd", "start 20-file",
                                                  "ready 20-file", "start 30-last"}));
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0) << husk.err();
}

TEST_P(Services, ReadinessTimeoutFailsClearly) {
  add("10-mute", "note start; exec sleep 1000", "ready-fd=3\nready-timeout=0.5\n");
  add("20-after", "note start; exec sleep 1000");
  Husk husk = start_services();
  int status = husk.wait(10000);
  EXPECT_EQ(exit_code(status), 1) << describe_status(status);
  EXPECT_EQ(husk.err(), "husk: service '10-mute': not ready after 500 ms (ready-timeout)\n");
  EXPECT_EQ(sequence(), std::vector<std::string>{"start 10-mute"});
}

TEST_P(Services, ControlListsRestartsStopsAndStarts) {
  add("a", "trap 'exit 0' TERM\nnote start\nsleep 1000 & wait");
  add("b", "trap 'exit 0' TERM\nnote start\nsleep 1000 & wait");
  Husk husk = start_services();
  // Started in order, but each notes its start when it runs: b's note may come first.
  for (std::string name : {"a", "b"}) ASSERT_TRUE(wait_for_events("start", name, 1)) << husk.err();
  const long a_pid = events("start", "a")[0].pid;
  std::string out;
  ASSERT_EQ(ctl(husk, {"list"}, out), 0) << out;
  EXPECT_EQ(out.rfind("NAME ", 0), 0u) << out;
  std::istringstream table(out);
  std::string header, name, state;
  long pid = 0;
  std::getline(table, header);
  table >> name >> state >> pid;
  EXPECT_EQ(name, "a");
  EXPECT_EQ(state, "running");
  EXPECT_EQ(pid, a_pid) << "ctl shows pids of husk's namespace";

  ASSERT_EQ(ctl(husk, {"restart", "a"}, out), 0) << out;
  EXPECT_EQ(out, "restarting 'a'\n");
  ASSERT_TRUE(wait_for_events("start", "a", 2)) << husk.err();
  EXPECT_NE(events("start", "a")[1].pid, a_pid);

  ASSERT_EQ(ctl(husk, {"stop", "b"}, out), 0) << out;
  const long long deadline = now_ms() + 5000;
  while (ctl(husk, {"list"}, out) == 0 && out.find("stopped") == std::string::npos &&
         now_ms() < deadline) {
    sleep_ms(50);
  }
  EXPECT_NE(out.find("stopped"), std::string::npos) << out;
  sleep_ms(300);
  EXPECT_EQ(events("start", "b").size(), 1u) << "a stopped service stays stopped";
  ASSERT_EQ(ctl(husk, {"start", "b"}, out), 0) << out;
  EXPECT_TRUE(wait_for_events("start", "b", 2)) << husk.err();

  EXPECT_EQ(ctl(husk, {"restart", "nosuch"}, out), 1);
  EXPECT_EQ(out, "husk ctl: no service 'nosuch'\n");
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0) << husk.err();
}

TEST_P(Services, CommandLineServicesAndMainCommand) {
  std::string note = "echo $0 >> " + log_path();
  const std::string touched = tmp_.path() + "/touched";
  Husk husk = start({"--control", control(), "--service",
                     "side=/bin/sh -c '" + note + "; exec sleep 1000' side", "--service",
                     "once=touch  " + touched, "--set", "once:restart=never", "--", "/bin/sh", "-c",
                     "sleep 0.5; exit 4"});
  int status = husk.wait(10000);
  EXPECT_EQ(exit_code(status), 4) << describe_status(status) << husk.err();
  EXPECT_EQ(access(touched.c_str(), F_OK), 0) << "a command split into words ran";
  EXPECT_EQ(husk.err(), "");
  std::ifstream in(log_path());
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "side");
}

TEST_P(Services, WithoutMainTheFirstServiceFailedForGoodGivesTheStatus) {
  add("10-ok", "note start; exit 0", "restart=on-failure\n");
  add("20-fails", "note start; exit 3", "restart=never\n");
  add("30-loops", "note start; exit 4", "backoff=0.5\nrestart-limit=1\n");
  Husk husk = start_services();
  int status = husk.wait(10000);
  EXPECT_EQ(exit_code(status), 3) << describe_status(status) << "\n" << husk.err();
  EXPECT_EQ(events("start", "30-loops").size(), 2u);
  EXPECT_NE(husk.err().find("husk: service '20-fails' exited with code 3\n"), std::string::npos)
      << husk.err();
}

TEST_P(Services, AGivenUpServiceWithOnGiveUpStopEndsHusk) {
  add("10-steady", "trap 'note stop; exit 0' TERM\nnote start\nsleep 1000 & wait");
  add("20-critical", "note start; exit 6", "backoff=0.05\nrestart-limit=1\non-give-up=stop\n");
  Husk husk = start_services();
  int status = husk.wait(10000);
  EXPECT_EQ(exit_code(status), 6) << describe_status(status) << "\n" << husk.err();
  EXPECT_EQ(events("stop", "10-steady").size(), 1u);
}

TEST_P(Services, SigtermWhileWaitingForReadinessStopsWhatRuns) {
  add("10-slow", "trap 'note stop; exit 0' TERM\nnote start\nsleep 1000 & wait", "ready-fd=3\n");
  add("20-never", "note start; exec sleep 1000");
  Husk husk = start_services();
  ASSERT_TRUE(wait_for_events("start", "10-slow", 1));
  husk.signal(SIGTERM);
  int status = husk.wait(10000);
  EXPECT_EQ(exit_code(status), 0) << describe_status(status) << "\n" << husk.err();
  EXPECT_EQ(sequence(), (std::vector<std::string>{"start 10-slow", "stop 10-slow"}));
}

TEST_P(Services, NoWakeUpsWhileIdleOrWaitingToRestart) {
  add("10-steady", "note start; exec sleep 1000");
  add("20-crash", "note start; exit 1", "backoff=30\nbackoff-max=60\n");
  Husk husk = start_services();
  ASSERT_TRUE(wait_for_events("start", "10-steady", 1));
  ASSERT_TRUE(husk.wait_for_error("restart 1 in 30000 ms")) << husk.err();
  sleep_ms(200);
  long before = context_switches(husk.pid());
  sleep_ms(1500);
  EXPECT_EQ(context_switches(husk.pid()), before) << "husk woke up while idle";
  husk.signal(SIGTERM);
  EXPECT_EQ(exit_code(husk.wait()), 0) << husk.err();
}

TEST_P(Services, ValgrindClean) {
  if (access("/usr/bin/valgrind", X_OK) != 0) GTEST_SKIP() << "valgrind is not installed";
  add("10-crash", "exit 1", "backoff=0.05\nrestart-limit=2\n");
  add("20-ready", "echo >&3; exec sleep 1000", "ready-fd=3\n");
  SpawnSpec spec;
  // --vgdb=no: no gdbserver FIFOs in /tmp, named by pid: two husks under valgrind, each PID 1
  // of its own namespace, would share them.
  spec.wrapper = {"/usr/bin/valgrind", "-q", "--vgdb=no", "--error-exitcode=99",
                  "--leak-check=full"};
  spec.args = {"--control", control(), "-S", dir(), "--", "/bin/sh", "-c", "sleep 1; exit 3"};
  Husk husk = Husk::start(mode(), spec);
  int status = husk.wait(60000);
  EXPECT_EQ(exit_code(status), 3) << husk.err();
  EXPECT_EQ(husk.err().find("=="), std::string::npos) << husk.err();
}

class BadInput : public Services {};
HUSK_E2E_MODES(BadInput);

// Runs husk on the directory and expects exit 1, `line` on stderr, and no service started.
#define EXPECT_REFUSED(line)                                                  \
  do {                                                                        \
    int status = run({"--control", control(), "-S", dir()});                  \
    EXPECT_EQ(exit_code(status), 1) << describe_status(status);               \
    EXPECT_EQ(last_err_, std::string("husk: ") + (line) + "\n");              \
    EXPECT_EQ(sequence(), std::vector<std::string>{}) << "a service started"; \
  } while (0)

TEST_P(BadInput, MissingDirectory) {
  EXPECT_REFUSED("services directory '" + dir() + "': No such file or directory");
}

TEST_P(BadInput, RunFileNotExecutable) {
  add("10-ok", "note start; exec sleep 1000");
  add("20-web", "exec sleep 1000");
  chmod((dir() + "/20-web/run").c_str(), 0644);
  EXPECT_REFUSED("service '20-web': " + dir() + "/20-web/run: not executable");
}

TEST_P(BadInput, UnknownKey) {
  add("10-ok", "note start; exec sleep 1000");
  add("20-web", "exec sleep 1000", "restart=always\nrestrat=never\n");
  EXPECT_REFUSED("service '20-web': config line 2: unknown key 'restrat'");
}

TEST_P(BadInput, BadDuration) {
  add("10-ok", "note start; exec sleep 1000");
  add("20-web", "exec sleep 1000", "stop-grace=5s\n");
  EXPECT_REFUSED(
      "service '20-web': config line 1: stop-grace: invalid duration '5s' (expected seconds, e.g. "
      "5 or 0.5)");
}

TEST_P(BadInput, TwoMainServices) {
  add("10-ok", "note start; exec sleep 1000", "main=yes\n");
  add("20-web", "exec sleep 1000", "main=yes\n");
  EXPECT_REFUSED("service '20-web': a second main service (the first is '10-ok')");
}

}  // namespace
}  // namespace husk::test
