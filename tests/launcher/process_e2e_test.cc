// The process set-up through `launch` itself: what the container's process sees of its
// capabilities, user, umask, rlimits, no_new_privs, seccomp, scheduler, personality, sysctls,
// and the host-side hooks with their state JSON, in the spec's order.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "bundle.h"
#include "seccomp_agent.h"

namespace husk::e2e {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// "Key:\tvalue" lines of /proc/PID/status text -> value of `key`.
std::string status_value(const std::string& status, const std::string& key) {
  std::istringstream lines(status);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::string value = line.substr(key.size() + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    return value;
  }
  return "<no " + key + ">";
}

// The static build of process_probe (launcher/process), which prints euid and /proc/self/status
// lines; found beside the launch binary unless HUSK_PROCESS_PROBE_STATIC names it.
std::string static_probe() {
  if (const char* path = std::getenv("HUSK_PROCESS_PROBE_STATIC")) return path;
  return (fs::path(Bundle::launch_path()).parent_path() / "process" / "process_probe_static")
      .string();
}

constexpr const char* kDefaultCaps = "0000000020000420";  // AUDIT_WRITE, KILL, NET_BIND_SERVICE

TEST(ProcessE2e, CapabilitiesNotGrantedAreAbsentFromEverySet) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.shell("cat /proc/self/status; echo ==== ; cat /proc/1/status");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string self = result.out.substr(0, result.out.find("===="));
  std::string init = result.out.substr(result.out.find("===="));
  for (const std::string& status : {self, init}) {
    EXPECT_EQ(status_value(status, "CapBnd"), kDefaultCaps);
    EXPECT_EQ(status_value(status, "CapPrm"), kDefaultCaps);
    EXPECT_EQ(status_value(status, "CapEff"), kDefaultCaps);
    EXPECT_EQ(status_value(status, "CapInh"), "0000000000000000");
    EXPECT_EQ(status_value(status, "CapAmb"), "0000000000000000");
    EXPECT_EQ(status_value(status, "NoNewPrivs"), "1");
  }
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(ProcessE2e, UserGroupsUmaskAndRlimits) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["user"] = {
      {"uid", 1000}, {"gid", 1001}, {"additionalGids", {10, 20}}, {"umask", 63}};
  bundle.config()["process"]["rlimits"] = {
      {{"type", "RLIMIT_NOFILE"}, {"soft", 900}, {"hard", 1000}},
      {{"type", "RLIMIT_NPROC"}, {"soft", 500}, {"hard", 500}}};
  bundle.shell(
      "cat /proc/self/status; echo umask=$(umask); echo nofile=$(ulimit -n)/$(ulimit -Hn);"
      " echo nproc=$(ulimit -u)");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(status_value(result.out, "Uid"), "1000\t1000\t1000\t1000");
  EXPECT_EQ(status_value(result.out, "Gid"), "1001\t1001\t1001\t1001");
  EXPECT_EQ(status_value(result.out, "Groups"), "10 20 ");
  EXPECT_NE(result.out.find("umask=0077"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("nofile=900/1000"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("nproc=500"), std::string::npos) << result.out;
  // uid 1000 keeps no capability across execve.
  EXPECT_EQ(status_value(result.out, "CapEff"), "0000000000000000");
  EXPECT_EQ(status_value(result.out, "CapPrm"), "0000000000000000");
  EXPECT_EQ(status_value(result.out, "CapBnd"), kDefaultCaps);
}

// As runc and crun: HOME (when process.env has none) and the supplementary groups come from
// the image's /etc/passwd and /etc/group, looked up by process.user.uid.
TEST(ProcessE2e, HomeAndGroupsComeFromTheImagesUserDatabase) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::ofstream(bundle.rootfs() + "/etc/passwd")
      << "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:App:/home/app:/bin/sh\n";
  std::ofstream(bundle.rootfs() + "/etc/group")
      << "root:x:0:\nwheel:x:10:root,app\naudio:x:29:app\napp:x:1000:\nother:x:40:root\n";
  bundle.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}, {"additionalGids", {29, 30}}};
  bundle.shell("cat /proc/self/status; echo home=$HOME");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(status_value(result.out, "Groups"), "10 29 30 ");
  EXPECT_NE(result.out.find("home=/home/app\n"), std::string::npos) << result.out;

  // A HOME of the config's own wins; a uid with no entry gets "/" and no image groups.
  bundle.config()["process"]["env"].push_back("HOME=/srv");
  result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("home=/srv\n"), std::string::npos) << result.out;
  bundle.config()["process"]["env"].erase(bundle.config()["process"]["env"].size() - 1);
  bundle.config()["process"]["user"] = {{"uid", 4242}, {"gid", 4242}};
  result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(status_value(result.out, "Groups"), "");
  EXPECT_NE(result.out.find("home=/\n"), std::string::npos) << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(ProcessE2e, NoNewPrivilegesHoldsAgainstASetuidBinary) {
  HUSK_E2E_REQUIRE_ROOT();
  const std::string probe = static_probe();
  ASSERT_TRUE(fs::exists(probe)) << probe << " is not built";
  for (bool no_new_privileges : {false, true}) {
    Bundle bundle;
    const std::string copy = bundle.rootfs() + "/bin/probe";
    fs::copy_file(probe, copy);
    ASSERT_EQ(::chown(copy.c_str(), 0, 0), 0);
    ASSERT_EQ(::chmod(copy.c_str(), 04755), 0);
    bundle.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
    bundle.config()["process"]["noNewPrivileges"] = no_new_privileges;
    bundle.config()["process"]["args"] = {"/bin/probe"};
    RunResult result = bundle.run();
    ASSERT_EQ(result.exit_code, 0) << result.err;
    // Without no_new_privs the setuid bit works, so the check below can fail.
    EXPECT_NE(result.out.find(no_new_privileges ? "euid=1000\n" : "euid=0\n"), std::string::npos)
        << "noNewPrivileges " << no_new_privileges << ":\n"
        << result.out;
    EXPECT_NE(result.out.find(no_new_privileges ? "NoNewPrivs=1\n" : "NoNewPrivs=0\n"),
              std::string::npos)
        << result.out;
  }
}

TEST(ProcessE2e, SeccompIsLoadedForInitAndProcess) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["seccomp"] = json::parse(R"({
      "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
                   {"names": ["husk_not_a_syscall"], "action": "SCMP_ACT_KILL"}]})");
  bundle.shell(
      "grep Seccomp: /proc/self/status /proc/1/status; mkdir /tmp/x 2>&1 || echo refused; "
      "touch /tmp/y && echo touched");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("/proc/self/status:Seccomp:\t2"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("/proc/1/status:Seccomp:\t2"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Operation not permitted"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("refused"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("touched"), std::string::npos) << result.out;
}

// The compiled-filter cache under --root (ROOT/@seccomp): the second start of a profile reads
// the filter from there (--debug says so), and the filter is in force inside: mkdir refused. A
// file that is corrupt, or that another profile's filter (allow everything) took the place of,
// or that is not root's 0600, is never used: the profile is compiled again, the file replaced,
// and mkdir is still refused.
std::string only_file(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) names.push_back(entry.path().string());
  return names.size() == 1 ? names[0] : "(" + std::to_string(names.size()) + " files)";
}

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(ProcessE2e, ACachedSeccompFilterIsAppliedAndAnUntrustedOneIsRebuilt) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  const std::string cache = bundle.state_root() + "/@seccomp";
  // Another profile first: an allow-all filter, its file moved aside.
  bundle.config()["linux"]["seccomp"] = json::parse(R"({
      "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
      "syscalls": [{"names": ["husk_not_a_syscall"], "action": "SCMP_ACT_KILL"}]})");
  bundle.shell("true");
  RunResult allow = bundle.run();
  ASSERT_EQ(allow.exit_code, 0) << allow.err;
  const std::string allow_all = bundle.dir() + "/allow-all.bpf";
  ASSERT_TRUE(fs::exists(only_file(cache))) << only_file(cache);
  fs::rename(only_file(cache), allow_all);

  bundle.config()["linux"]["seccomp"] = json::parse(R"({
      "defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
      "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]})");
  bundle.shell("grep Seccomp: /proc/self/status; mkdir /tmp/x 2>&1 || echo refused");
  auto start = [&](const std::string& expected_source) {
    RunResult result = bundle.run({"--debug"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_NE(result.err.find("\"seccomp\":\"" + expected_source + "\""), std::string::npos)
        << result.err;
    EXPECT_NE(result.out.find("Seccomp:\t2\n"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("Operation not permitted"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("refused\n"), std::string::npos) << result.out;
  };
  start("compiled and cached");
  const std::string file = only_file(cache);
  const std::string good = file_bytes(file);
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 0u);
  ASSERT_EQ(::stat(cache.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  start("cached");
  start("cached");

  std::string corrupt = good;
  corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x20);
  std::ofstream(file, std::ios::binary | std::ios::trunc) << corrupt;
  start("compiled and cached");
  EXPECT_EQ(file_bytes(file), good);

  fs::copy_file(allow_all, file, fs::copy_options::overwrite_existing);  // 0600, root's
  ::chmod(file.c_str(), 0600);
  start("compiled and cached");
  EXPECT_EQ(file_bytes(file), good);

  ASSERT_EQ(::chown(file.c_str(), 65534, 65534), 0);
  start("compiled and cached");
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, 0u);
  start("cached");
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(ProcessE2e, SeccompNotifyReachesTheAgent) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  const std::string socket_path = bundle.dir() + "/agent.sock";
  SeccompAgent agent(socket_path, EROFS);
  ASSERT_TRUE(agent.bound());
  bundle.config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"listenerPath", socket_path},
      {"listenerMetadata", "e2e"},
      {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  bundle.shell("mkdir /tmp/x 2>&1; echo rc=$?");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Read-only file system"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("rc=1"), std::string::npos) << result.out;
  EXPECT_GE(agent.notifications(), 1);
  ASSERT_EQ(agent.states().size(), 1u);
  json state = json::parse(agent.states()[0], nullptr, false);
  ASSERT_FALSE(state.is_discarded()) << agent.states()[0];
  EXPECT_EQ(state["fds"], json({"seccompFd"}));
  EXPECT_EQ(state.value("metadata", ""), "e2e");
  EXPECT_GT(state.value("pid", 0), 0);
  EXPECT_EQ(state["state"].value("bundle", ""), bundle.dir());
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(ProcessE2e, OomScoreSchedulerPersonalityAndSysctl) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["process"]["oomScoreAdj"] = 321;
  bundle.config()["process"]["scheduler"] = {{"policy", "SCHED_BATCH"}, {"nice", 6}};
  bundle.config()["linux"]["personality"] = {{"domain", "LINUX32"}};
  bundle.config()["linux"]["sysctl"] = {{"kernel.shmmni", "1234"}, {"net.ipv4.ip_forward", "1"}};
  bundle.shell(
      "echo oom=$(cat /proc/self/oom_score_adj); echo machine=$(uname -m); "
      "echo stat=$(cat /proc/self/stat); echo shmmni=$(cat /proc/sys/kernel/shmmni); "
      "echo forward=$(cat /proc/sys/net/ipv4/ip_forward)");
  const std::string host_shmmni = read_text("/proc/sys/kernel/shmmni");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("oom=321\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("machine=i686\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("shmmni=1234\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("forward=1\n"), std::string::npos) << result.out;
  // /proc/PID/stat: field 19 is nice, field 41 the policy (3: SCHED_BATCH).
  std::string stat = result.out.substr(result.out.find("stat=") + 5);
  stat = stat.substr(stat.find(')') + 2);
  std::istringstream fields(stat);
  std::vector<std::string> values;
  for (std::string field; fields >> field;) values.push_back(field);
  ASSERT_GT(values.size(), 38U);
  EXPECT_EQ(values[19 - 3], "6");
  EXPECT_EQ(values[41 - 3], "3");
  EXPECT_EQ(read_text("/proc/sys/kernel/shmmni"), host_shmmni);
}

TEST(ProcessE2e, HooksRunInOrderWithTheState) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  const std::string log = bundle.dir() + "/hooks";
  fs::create_directories(log);
  auto hook = [&](const std::string& name) {
    return json{{"path", "/bin/sh"},
                {"args", {"sh", "-c", "echo $0 >> \"$1/order\"; cat > \"$1/$0.json\"", name, log}},
                {"env", {"HOOK=" + name}},
                {"timeout", 10}};
  };
  for (const char* name : {"prestart", "createRuntime", "poststart", "poststop"})
    bundle.config()["hooks"][name] = {hook(name)};
  // startContainer runs in the container: it writes where the process then reads.
  bundle.config()["hooks"]["startContainer"] = {
      {{"path", "/bin/sh"}, {"args", {"sh", "-c", "cat > /tmp/start.json"}}}};
  bundle.shell("cat /tmp/start.json");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(read_text(log + "/order"), "prestart\ncreateRuntime\npoststart\npoststop\n");

  json start = json::parse(result.out, nullptr, false);
  ASSERT_FALSE(start.is_discarded()) << result.out;
  EXPECT_EQ(start.value("status", ""), "created");
  const std::map<std::string, std::string> statuses = {{"prestart", "creating"},
                                                       {"createRuntime", "creating"},
                                                       {"poststart", "running"},
                                                       {"poststop", "stopped"}};
  for (const auto& [name, status] : statuses) {
    json state = json::parse(read_text(log + "/" + name + ".json"), nullptr, false);
    ASSERT_FALSE(state.is_discarded()) << name;
    EXPECT_EQ(state.value("ociVersion", ""), "1.2.0") << name;
    EXPECT_FALSE(state.value("id", "").empty()) << name;
    EXPECT_EQ(state.value("bundle", ""), bundle.dir()) << name;
    EXPECT_EQ(state.value("status", ""), status) << name;
    if (name != "poststop") {
      EXPECT_GT(state.value("pid", 0), 0) << name;
    }
  }
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(ProcessE2e, FailuresAreOneLineAndLeaveNothing) {
  HUSK_E2E_REQUIRE_ROOT();
  {
    Bundle bundle;
    bundle.config()["hooks"]["createRuntime"] = {
        {{"path", "/bin/true"}}, {{"path", "/bin/sh"}, {"args", {"sh", "-c", "exit 3"}}}};
    RunResult result = bundle.run();
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("hooks.createRuntime[1] /bin/sh: exited with status 3"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
  {
    Bundle bundle;
    // Above fs.nr_open even CAP_SYS_RESOURCE cannot raise RLIMIT_NOFILE: EPERM on every host.
    const std::string too_many =
        std::to_string(std::stoull("0" + read_text("/proc/sys/fs/nr_open")) + 1);
    bundle.config()["process"]["rlimits"] = {{{"type", "RLIMIT_NOFILE"},
                                              {"soft", std::stoull(too_many)},
                                              {"hard", std::stoull(too_many)}}};
    RunResult result = bundle.run();
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find("process.rlimits[0]: RLIMIT_NOFILE: setrlimit " + too_many + "/" +
                              too_many + ": Operation not permitted"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
  {
    Bundle bundle;
    bundle.config()["process"]["capabilities"]["bounding"].push_back("CAP_MAKE_COFFEE");
    RunResult result = bundle.run();
    EXPECT_NE(result.exit_code, 0);
    EXPECT_NE(result.err.find(".process.capabilities.bounding[3]"), std::string::npos)
        << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
  {
    // Nobody listens at listenerPath: the container must not run without its agent.
    Bundle bundle;
    const std::string socket_path = bundle.dir() + "/nobody.sock";
    bundle.config()["linux"]["seccomp"] = {
        {"defaultAction", "SCMP_ACT_ALLOW"},
        {"listenerPath", socket_path},
        {"syscalls", {{{"names", {"mkdir"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
    bundle.shell("echo ran");
    RunResult result = bundle.run();
    EXPECT_NE(result.exit_code, 0);
    EXPECT_EQ(result.out, "");
    EXPECT_NE(result.err.find("linux.seccomp.listenerPath " + socket_path +
                              ": connect: No such file or directory"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(result.err.find("listenerPath: linux.seccomp.listenerPath"), std::string::npos)
        << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
}

}  // namespace
}  // namespace husk::e2e
