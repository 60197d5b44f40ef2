// Namespaces seen from inside the container: created, joined by path (the --pid container:X
// seed case included), user namespace maps, time namespace offsets, hostname and domainname.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

const char* const kTypes[][2] = {{"pid", "pid"},       {"network", "net"}, {"mount", "mnt"},
                                 {"ipc", "ipc"},       {"uts", "uts"},     {"user", "user"},
                                 {"cgroup", "cgroup"}, {"time", "time"}};

std::string host_ns(const std::string& pid, const std::string& kernel_name) {
  char buf[256];
  ssize_t n = ::readlink(("/proc/" + pid + "/ns/" + kernel_name).c_str(), buf, sizeof buf);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// A script printing "name=<readlink>" per namespace of the container's process.
std::string print_namespaces() {
  std::string script;
  for (const auto& type : kTypes)
    script += std::string("echo ") + type[1] + "=$(readlink /proc/self/ns/" + type[1] + "); ";
  return script;
}

std::string line_value(const std::string& out, const std::string& key) {
  std::istringstream lines(out);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  return "";
}

void add_user_namespace(Bundle& bundle) {
  bundle.set_namespace("user");
  bundle.config()["linux"]["uidMappings"] = {
      {{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
  bundle.config()["linux"]["gidMappings"] = {
      {{"containerID", 0}, {"hostID", 100000}, {"size", 65536}}};
}

TEST(Namespaces, EveryTypeIsNew) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  for (const auto& type : kTypes) bundle.set_namespace(type[0]);
  add_user_namespace(bundle);
  bundle.shell(print_namespaces());
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const auto& type : kTypes) {
    std::string inside = line_value(result.out, type[1]);
    EXPECT_NE(inside, "") << type[1] << "\n" << result.out;
    EXPECT_NE(inside, host_ns("self", type[1])) << type[1] << " is the host's";
  }
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Namespaces, JoinedByPath) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle first;
  for (const char* type : {"ipc", "uts", "network", "cgroup"}) first.set_namespace(type);
  first.shell("echo ready; exec sleep 30");
  std::string pid_file = first.dir() + "/pid";
  Running running = first.start({"--pid-file", pid_file});
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  std::string pid = read_text(pid_file);

  Bundle second;
  for (const auto& [type, kernel] :
       {std::pair{"ipc", "ipc"}, {"uts", "uts"}, {"network", "net"}, {"cgroup", "cgroup"}})
    second.set_namespace(type, "/proc/" + pid + "/ns/" + kernel);
  second.config().erase("hostname");
  second.shell(print_namespaces());
  RunResult result = second.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* kernel : {"ipc", "uts", "net", "cgroup"})
    EXPECT_EQ(line_value(result.out, kernel), host_ns(pid, kernel)) << kernel;
  EXPECT_NE(line_value(result.out, "mnt"), host_ns(pid, "mnt"));  // still its own
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait().exit_code, 128 + SIGTERM);
  EXPECT_EQ(first.leftovers(), "");
  EXPECT_EQ(second.leftovers(), "");
}

// --pid container:X: the second container is in the first one's pid namespace, sees its
// processes, and dies with the first one's PID 1.
TEST(Namespaces, SharedPidNamespaceDiesWithItsInit) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle first;
  first.shell("echo ready; exec sleep 30");
  std::string pid_file = first.dir() + "/pid";
  Running one = first.start({"--pid-file", pid_file});
  ASSERT_TRUE(one.wait_for_output("ready\n"));
  std::string pid = read_text(pid_file);

  Bundle second;
  second.set_namespace("pid", "/proc/" + pid + "/ns/pid");
  second.shell(
      "echo pidns=$(readlink /proc/self/ns/pid); ps -o pid,args; echo joined; "
      "exec sleep 30");
  Running two = second.start();
  ASSERT_TRUE(two.wait_for_output("joined\n")) << two.out();
  EXPECT_EQ(line_value(two.out(), "pidns"), host_ns(pid, "pid"));
  EXPECT_NE(two.out().find("sleep 30"), std::string::npos) << two.out();  // the first's sleep

  one.signal(SIGTERM);  // the first's PID 1 exits: the kernel kills the whole namespace
  EXPECT_EQ(one.wait().exit_code, 128 + SIGTERM);
  RunResult result = two.wait();
  EXPECT_EQ(result.exit_code, 128 + SIGKILL) << result.err;
  EXPECT_EQ(first.leftovers(), "");
  EXPECT_EQ(second.leftovers(), "");
}

TEST(Namespaces, UserNamespaceMappings) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  add_user_namespace(bundle);
  bundle.shell("cat /proc/self/uid_map /proc/self/gid_map; id -u");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream words(result.out);
  std::vector<std::string> got;
  for (std::string word; words >> word;) got.push_back(word);
  EXPECT_EQ(got, (std::vector<std::string>{"0", "100000", "65536", "0", "100000", "65536", "0"}))
      << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Namespaces, TimeNamespaceOffsetsWithAPidNamespace) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.set_namespace("time");
  bundle.config()["linux"]["timeOffsets"] = {{"boottime", {{"secs", 1000000}, {"nanosecs", 0}}},
                                             {"monotonic", {{"secs", 2000000}, {"nanosecs", 0}}}};
  bundle.shell("cut -d' ' -f1 /proc/uptime; echo pid=$$");
  double host_before = std::stod(read_text("/proc/uptime"));
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  double inside = std::stod(result.out);
  EXPECT_GT(inside, host_before + 1000000 - 5) << result.out;
  EXPECT_LT(inside, host_before + 1000000 + 60) << result.out;
  EXPECT_NE(result.out.find("pid=2"), std::string::npos) << result.out;  // husk is PID 1
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Namespaces, HostnameAndDomainname) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["hostname"] = "box-e2e";
  bundle.config()["domainname"] = "example.org";
  bundle.shell("hostname; cat /proc/sys/kernel/domainname");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "box-e2e\nexample.org\n");
}

}  // namespace
}  // namespace husk::e2e
