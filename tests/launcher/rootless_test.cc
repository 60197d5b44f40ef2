// Rootless: launch run by a user who is not root, as an engine without root runs runc. The
// test (root) picks a uid no account has, gives it a runtime folder ($XDG_RUNTIME_DIR), copies
// of launch and husk it can run (the build tree may sit below a folder only root can enter) and
// a bundle it owns, then runs launch through setpriv as that uid with nothing but HOME, PATH
// and XDG_RUNTIME_DIR in its environment. The config is what `launch spec --rootless` writes
// for that user; the checks are made from inside the container (its uid and id maps) and from
// the host (the state under $XDG_RUNTIME_DIR/launch, nothing left behind).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bundle.h"
#include "seccomp_agent.h"

namespace husk::e2e {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;

// "0 40123 1\n" for each line of an id map, its columns' padding gone.
std::string squeeze(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string word, joined;
    while (words >> word) joined += (joined.empty() ? "" : " ") + word;
    out += joined + "\n";
  }
  return out;
}

class RootlessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HUSK_E2E_REQUIRE_ROOT();
    if (::access("/usr/bin/setpriv", X_OK) != 0) GTEST_SKIP() << "needs setpriv (util-linux)";
    uid_ = 40000 + static_cast<uid_t>(::getpid() % 20000);
    while (::getpwuid(uid_) != nullptr) ++uid_;  // no account's uid
    char tmpl[] = "/tmp/husk-rootless-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    home_ = tmpl;
    ::chmod(home_.c_str(), 0755);
    launch_ = home_ + "/launch";
    const std::string husk = home_ + "/husk";
    fs::copy_file(Bundle::launch_path(), launch_);
    fs::copy_file(Bundle::husk_path(), husk);
    ::chmod(launch_.c_str(), 0755);
    ::chmod(husk.c_str(), 0755);
    runtime_dir_ = home_ + "/run";
    out_ = home_ + "/out";
    for (const std::string& dir : {runtime_dir_, out_}) {
      ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
      ASSERT_EQ(::chown(dir.c_str(), uid_, uid_), 0);
    }
    env_ = {"HOME=" + home_, "PATH=/usr/bin:/bin", "XDG_RUNTIME_DIR=" + runtime_dir_,
            "HUSK_INIT_PATH=" + husk};
    give_bundle_to_user();
    // The config the user's own `launch spec --rootless` writes, with a marker for leftovers()
    // and the test's cgroupsPath (the cgroup launch may not make: it goes without one).
    const json base = bundle_.config();
    RunResult spec = as_user({"spec", "--rootless", "--bundle", bundle_.dir()});
    ASSERT_EQ(spec.exit_code, 0) << spec.err;
    json config = json::parse(read_text(bundle_.dir() + "/config.json"), nullptr, false);
    ASSERT_FALSE(config.is_discarded());
    EXPECT_EQ(config["linux"]["uidMappings"], json::parse(R"([{"containerID":0,"hostID":)" +
                                                          std::to_string(uid_) + R"(,"size":1}])"));
    config["process"]["terminal"] = false;
    config["process"]["env"].push_back(base["process"]["env"].back());
    config["linux"]["cgroupsPath"] = base["linux"]["cgroupsPath"];
    config["mounts"].push_back(
        {{"destination", "/mnt"}, {"type", "bind"}, {"source", out_}, {"options", {"rbind"}}});
    bundle_.config() = config;
  }
  void TearDown() override {
    if (home_.empty()) return;
    for (const std::string& id : ids_) (void)as_user({"delete", "--force", id});
    std::error_code ignored;
    fs::remove_all(home_, ignored);
  }

  // The bundle (rootfs included) is the user's, as an engine's unpacked image would be.
  void give_bundle_to_user() {
    std::error_code ec;
    for (const auto& entry : fs::recursive_directory_iterator(bundle_.dir(), ec))
      (void)::lchown(entry.path().c_str(), uid_, uid_);
    (void)::lchown(bundle_.dir().c_str(), uid_, uid_);
  }
  void write_config() {
    bundle_.write_config();
    (void)::lchown((bundle_.dir() + "/config.json").c_str(), uid_, uid_);
  }

  // Runs `launch ARGS...` as the user (no supplementary groups) with env_, stdout and stderr
  // to files: a created container keeps create's stdio open.
  RunResult as_user(const std::vector<std::string>& args, int timeout_ms = 20000) {
    static int serial = 0;
    const std::string base = home_ + "/cmd" + std::to_string(++serial);
    const std::string id = std::to_string(uid_);
    std::vector<std::string> full{"/usr/bin/setpriv", "--reuid=" + id, "--regid=" + id,
                                  "--clear-groups",   "/usr/bin/env",  "-i"};
    full.insert(full.end(), env_.begin(), env_.end());
    full.push_back(launch_);
    full.insert(full.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& arg : full) argv.push_back(arg.data());
    argv.push_back(nullptr);
    const int out = ::open((base + ".out").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    const int err = ::open((base + ".err").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    const pid_t pid = ::fork();
    if (pid == 0) {
      // The test's /etc files (etc_binds_) over the host's, in a mount namespace of this
      // command's own: the host's /etc/subuid is never written.
      if (!etc_binds_.empty()) {
        if (::unshare(CLONE_NEWNS) != 0 ||
            ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
          ::_exit(126);
        for (const auto& [file, over] : etc_binds_) {
          if (::mount(file.c_str(), over.c_str(), nullptr, MS_BIND, nullptr) != 0) ::_exit(126);
        }
      }
      ::dup2(::open("/dev/null", O_RDONLY), 0);
      ::dup2(out, 1);
      ::dup2(err, 2);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(out);
    ::close(err);
    RunResult cmd;
    int status = 0;
    for (const int64_t deadline = now_ms() + timeout_ms;;) {
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        cmd.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
        break;
      }
      if (now_ms() > deadline) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        break;
      }
      ::usleep(2000);
    }
    cmd.out = read_text(base + ".out");
    cmd.err = read_text(base + ".err");
    return cmd;
  }
  std::string id(const std::string& name) {
    ids_.push_back(name + "-" + bundle_.cgroup_name());
    return ids_.back();
  }
  std::string status(const std::string& id) {
    json state = json::parse(as_user({"state", id}).out, nullptr, false);
    return state.is_discarded() ? "" : state.value("status", "");
  }
  bool wait_status(const std::string& id, const std::string& wanted) {
    for (const int64_t deadline = now_ms() + 10000; now_ms() < deadline; ::usleep(20000)) {
      if (status(id) == wanted) return true;
    }
    return false;
  }
  // What the user's id maps read as from inside: "0 UID 1\n".
  std::string own_map() const { return "0 " + std::to_string(uid_) + " 1\n"; }
  std::string state_root() const { return runtime_dir_ + "/launch"; }

  // newuidmap's view of the user: an account and ranges of its own in /etc/subuid and
  // /etc/subgid (files of the test, bound over the host's for each command).
  void give_subordinate_ids(uid_t first, uid_t count) {
    const std::string name = "husk-rootless-" + std::to_string(uid_);
    const std::string passwd = home_ + "/passwd", ids = home_ + "/subids";
    const std::string range = name + ":" + std::to_string(first) + ":" + std::to_string(count);
    std::ofstream(passwd) << read_text("/etc/passwd") << name << ":x:" << uid_ << ":" << uid_
                          << "::" << home_ << ":/bin/false\n";
    std::ofstream(ids) << range << "\n";
    etc_binds_ = {{passwd, "/etc/passwd"}, {ids, "/etc/subuid"}, {ids, "/etc/subgid"}};
  }

  Bundle bundle_;
  std::vector<std::pair<std::string, std::string>> etc_binds_;
  uid_t uid_ = 0;
  std::string home_, launch_, runtime_dir_, out_;
  std::vector<std::string> env_;
  std::vector<std::string> ids_;
};

// launch BUNDLE as the user: root inside is the user outside, the id maps hold that one id, the
// host's device nodes work, and launch says (--debug) that it went without a cgroup.
TEST_F(RootlessTest, TheSpecRunsAsTheUserMappedToRootInside) {
  bundle_.shell(
      "id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; echo x > /dev/null && "
      "head -c 4 /dev/zero | wc -c; touch /mnt/mine && stat -c %u /mnt/mine");
  write_config();
  RunResult cmd = as_user({"--debug", bundle_.dir()});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
  EXPECT_EQ(squeeze(cmd.out), "0\n0\n" + own_map() + own_map() + "4\n0\n") << cmd.out;
  EXPECT_NE(cmd.err.find("rootless: no cgroup for the container: "), std::string::npos) << cmd.err;
  struct stat st {};
  ASSERT_EQ(::stat((out_ + "/mine").c_str(), &st), 0);  // root's file inside is the user's
  EXPECT_EQ(st.st_uid, uid_);
  // The state root is the user's, below its runtime folder; nothing is left in it.
  ASSERT_EQ(::stat(state_root().c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid_);
  EXPECT_TRUE(fs::is_empty(state_root()));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// create / state / start / ps / exec / kill / delete, each a launch of its own run by the user.
TEST_F(RootlessTest, TheSplitLifecycle) {
  bundle_.shell("id -u > /mnt/started; exec sleep 1000");
  write_config();
  const std::string c = id("life");
  const std::string pid_file = runtime_dir_ + "/pid";
  RunResult cmd = as_user({"create", "--bundle", bundle_.dir(), "--pid-file", pid_file, c});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
  EXPECT_TRUE(fs::exists(state_root() + "/" + c + "/state.json"));
  EXPECT_EQ(status(c), "created");
  EXPECT_FALSE(fs::exists(out_ + "/started"));
  const pid_t init = std::stoi(read_text(pid_file));
  // The container's init runs as the user on the host.
  struct stat st {};
  ASSERT_EQ(::stat(("/proc/" + std::to_string(init)).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, uid_);

  ASSERT_EQ((cmd = as_user({"start", c})).exit_code, 0) << cmd.err;
  EXPECT_TRUE(wait_status(c, "running"));
  for (const int64_t deadline = now_ms() + 5000; !fs::exists(out_ + "/started");) {
    if (now_ms() > deadline) break;
    ::usleep(10000);
  }
  EXPECT_EQ(read_text(out_ + "/started"), "0\n");

  cmd = as_user({"exec", c, "sh", "-c", "id -u; cat /proc/self/uid_map; echo $$"});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
  std::string out = squeeze(cmd.out);
  EXPECT_EQ(out.rfind("0\n" + own_map(), 0), 0u) << cmd.out;
  // ps without a cgroup: the processes of the container's pid namespace, its init first.
  cmd = as_user({"ps", "--format", "json", c});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
  json pids = json::parse(cmd.out, nullptr, false);
  ASSERT_TRUE(pids.is_array()) << cmd.out;
  EXPECT_GE(pids.size(), 2u) << cmd.out;  // husk and sleep
  EXPECT_EQ(pids[0], init) << cmd.out;

  // pause and update need a cgroup: one line says there is none.
  cmd = as_user({"pause", c});
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(cmd.err, "launch: error: container " + c +
                         " has no cgroup (launch ran rootless and could create none): pause "
                         "needs one\n");
  EXPECT_EQ(status(c), "running");
  ASSERT_EQ((cmd = as_user({"kill", c, "KILL"})).exit_code, 0) << cmd.err;
  EXPECT_TRUE(wait_status(c, "stopped"));
  ASSERT_EQ((cmd = as_user({"delete", c})).exit_code, 0) << cmd.err;
  EXPECT_FALSE(fs::exists(state_root() + "/" + c));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// Limits need a cgroup: without one the user may make, one line naming linux.resources, and
// neither state nor process nor cgroup is left.
TEST_F(RootlessTest, ResourcesWithoutACgroupAreOneLineAndNothingLeft) {
  bundle_.config()["linux"]["resources"] = {{"pids", {{"limit", 17}}}};
  bundle_.shell("echo ran");
  write_config();
  RunResult cmd = as_user({bundle_.dir()});
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(cmd.out, "");
  EXPECT_EQ(
      cmd.err.rfind("launch: error: linux.resources: rootless, limits need a cgroup the caller may "
                    "create (a delegated cgroup v2 subtree): ",
                    0),
      0u)
      << cmd.err;
  EXPECT_NE(cmd.err.find("Permission denied"), std::string::npos) << cmd.err;
  EXPECT_EQ(std::count(cmd.err.begin(), cmd.err.end(), '\n'), 1) << cmd.err;
  EXPECT_TRUE(fs::is_empty(state_root()));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// kill --all without a cgroup: every process of the container's pid namespace gets the signal,
// seen from inside (two shells each trap TERM and write a file). Without a pid namespace of its
// own the container's processes cannot be told from the host's: one line refuses it.
TEST_F(RootlessTest, KillAllWithoutACgroupReachesEveryProcessOfItsPidNamespace) {
  bundle_.shell(
      "(trap 'touch /mnt/second; exit 0' TERM; touch /mnt/ready2; while :; do sleep 0.1; done) &"
      " trap 'touch /mnt/first; exit 0' TERM; touch /mnt/ready1; while :; do sleep 0.1; done");
  write_config();
  const std::string c = id("killall");
  RunResult cmd = as_user({"create", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
  ASSERT_EQ((cmd = as_user({"start", c})).exit_code, 0) << cmd.err;
  auto appears = [&](const std::string& name) {
    for (const int64_t deadline = now_ms() + 5000; !fs::exists(out_ + "/" + name);) {
      if (now_ms() > deadline) return false;
      ::usleep(10000);
    }
    return true;
  };
  ASSERT_TRUE(appears("ready1"));
  ASSERT_TRUE(appears("ready2"));
  cmd = as_user({"kill", "--all", c, "TERM"});
  EXPECT_EQ(cmd.exit_code, 0) << cmd.err;
  EXPECT_EQ(cmd.err, "");
  EXPECT_TRUE(appears("first"));
  EXPECT_TRUE(appears("second"));
  EXPECT_TRUE(wait_status(c, "stopped"));
  ASSERT_EQ((cmd = as_user({"delete", c})).exit_code, 0) << cmd.err;
  // The namespace's last processes end as its PID 1 exits (the kernel kills them).
  for (const int64_t deadline = now_ms() + 5000; !bundle_.leftovers().empty();) {
    if (now_ms() > deadline) break;
    ::usleep(10000);
  }
  EXPECT_EQ(bundle_.leftovers(), "");

  // The host's pid namespace (its /proc bound in): refused, the container left running. Its
  // program is its init (--no-init): delete --force ends it.
  bundle_.remove_namespace("pid");
  for (json& mount : bundle_.config()["mounts"]) {
    if (mount.value("destination", "") == "/proc")
      mount = {
          {"destination", "/proc"}, {"type", "bind"}, {"source", "/proc"}, {"options", {"rbind"}}};
  }
  bundle_.shell("exec sleep 30");
  write_config();
  const std::string shared = id("killall-shared");
  ASSERT_EQ((cmd = as_user({"create", "--no-init", "--bundle", bundle_.dir(), shared})).exit_code,
            0)
      << cmd.err;
  ASSERT_EQ((cmd = as_user({"start", shared})).exit_code, 0) << cmd.err;
  cmd = as_user({"kill", "--all", shared, "TERM"});
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(cmd.err, "launch: error: container " + shared +
                         " has no cgroup and no pid namespace of its own: kill --all cannot tell "
                         "its processes from others\n");
  EXPECT_EQ(status(shared), "running");
  ASSERT_EQ((cmd = as_user({"delete", "--force", shared})).exit_code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// What a user cannot have, in one line each: another uid than its own mapped without
// newuidmap's blessing (/etc/subuid), no user namespace, no state root.
TEST_F(RootlessTest, RefusalsNameTheField) {
  bundle_.shell("echo ran");
  bundle_.config()["linux"]["uidMappings"] = {
      {{"containerID", 0}, {"hostID", uid_}, {"size", 1}},
      {{"containerID", 1}, {"hostID", uid_ + 1}, {"size", 1}}};
  write_config();
  RunResult cmd = as_user({bundle_.dir()});
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(cmd.out, "");
  EXPECT_EQ(cmd.err.rfind("launch: error: linux.uidMappings: ", 0), 0u) << cmd.err;
  EXPECT_TRUE(cmd.err.find("newuidmap failed: ") != std::string::npos ||
              cmd.err.find("newuidmap (package uidmap), which is not installed") !=
                  std::string::npos)
      << cmd.err;
  EXPECT_EQ(std::count(cmd.err.begin(), cmd.err.end(), '\n'), 1) << cmd.err;
  EXPECT_TRUE(fs::is_empty(state_root()));
  EXPECT_EQ(bundle_.leftovers(), "");

  bundle_.config()["linux"].erase("uidMappings");
  bundle_.config()["linux"].erase("gidMappings");
  bundle_.remove_namespace("user");
  write_config();
  cmd = as_user({bundle_.dir()});
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(cmd.err,
            "launch: error: config.json: linux.namespaces: a rootless container needs a user "
            "namespace of its own (launch spec --rootless writes one)\n");
  EXPECT_TRUE(fs::is_empty(state_root()));

  env_.erase(env_.begin() + 2);  // XDG_RUNTIME_DIR
  cmd = as_user({"list"});
  EXPECT_EQ(cmd.exit_code, 1);
  EXPECT_EQ(cmd.err,
            "launch: error: rootless: XDG_RUNTIME_DIR is not set to an absolute path: set it, "
            "or give --root DIR\n");
  EXPECT_EQ((cmd = as_user({"spec", "--rootless", "--bundle", out_})).exit_code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// More ids than the user's own, through newuidmap and newgidmap and the user's ranges in
// /etc/subuid and /etc/subgid: inside, both ranges are mapped, the process runs as uid 1000,
// and its file belongs to the range's id 999 outside.
TEST_F(RootlessTest, MoreIdsThroughNewuidmap) {
  for (const char* helper : {"/usr/bin/newuidmap", "/usr/bin/newgidmap"}) {
    if (::access(helper, X_OK) != 0) GTEST_SKIP() << "needs " << helper << " (package uidmap)";
  }
  if (::access("/etc/subuid", F_OK) != 0 || ::access("/etc/subgid", F_OK) != 0)
    GTEST_SKIP() << "needs /etc/subuid and /etc/subgid to bind the test's ranges over";
  const uid_t first = 300000 + (uid_ - 40000) * 2000;  // a range of this test's own
  give_subordinate_ids(first, 2000);
  for (const char* key : {"uidMappings", "gidMappings"}) {
    bundle_.config()["linux"][key] = {{{"containerID", 0}, {"hostID", uid_}, {"size", 1}},
                                      {{"containerID", 1}, {"hostID", first}, {"size", 2000}}};
  }
  bundle_.config()["process"]["user"] = {{"uid", 1000}, {"gid", 1000}};
  ASSERT_EQ(::chmod(out_.c_str(), 0777), 0);
  bundle_.shell("cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g; touch /mnt/given");
  write_config();
  RunResult cmd = as_user({bundle_.dir()});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err << cmd.out;
  const std::string maps = own_map() + "1 " + std::to_string(first) + " 2000\n";
  EXPECT_EQ(squeeze(cmd.out), maps + maps + "1000\n1000\n") << cmd.out;
  struct stat st {};
  ASSERT_EQ(::stat((out_ + "/given").c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, first + 999);
  EXPECT_EQ(st.st_gid, first + 999);
  EXPECT_TRUE(fs::is_empty(state_root()));
  EXPECT_EQ(bundle_.leftovers(), "");
}

// SCMP_ACT_NOTIFY in a rootless container, created then started, and in an exec'd process:
// the agent gets each listener, and its errno is what mkdir sees inside.
TEST_F(RootlessTest, SeccompNotifyWithCreateStartAndExec) {
  const std::string socket_path = runtime_dir_ + "/agent.sock";
  SeccompAgent agent(socket_path, EROFS);
  ASSERT_TRUE(agent.bound());
  ASSERT_EQ(::chown(socket_path.c_str(), uid_, uid_), 0);
  bundle_.config()["linux"]["seccomp"] = {
      {"defaultAction", "SCMP_ACT_ALLOW"},
      {"listenerPath", socket_path},
      {"listenerMetadata", "rootless"},
      {"syscalls", {{{"names", {"mkdir", "mkdirat"}}, {"action", "SCMP_ACT_NOTIFY"}}}}};
  bundle_.shell("mkdir /tmp/x 2> /mnt/init.err; echo rc=$? >> /mnt/init.err; exec sleep 1000");
  write_config();
  const std::string c = id("notify");
  RunResult cmd = as_user({"create", "--bundle", bundle_.dir(), c});
  ASSERT_EQ(cmd.exit_code, 0) << cmd.err;
  ASSERT_EQ((cmd = as_user({"start", c})).exit_code, 0) << cmd.err;
  for (const int64_t deadline = now_ms() + 5000;
       read_text(out_ + "/init.err").find("rc=") == std::string::npos;) {
    if (now_ms() > deadline) break;
    ::usleep(10000);
  }
  EXPECT_NE(read_text(out_ + "/init.err").find("Read-only file system\nrc=1\n"), std::string::npos)
      << read_text(out_ + "/init.err");
  cmd = as_user({"exec", c, "sh", "-c", "mkdir /tmp/y 2>&1; echo rc=$?"});
  EXPECT_EQ(cmd.exit_code, 0) << cmd.err;
  EXPECT_NE(cmd.out.find("Read-only file system\nrc=1\n"), std::string::npos) << cmd.out;
  std::vector<std::string> states = agent.states();
  ASSERT_EQ(states.size(), 2u);
  for (const std::string& text : states) {
    json state = json::parse(text, nullptr, false);
    ASSERT_FALSE(state.is_discarded()) << text;
    EXPECT_EQ(state["fds"], json({"seccompFd"}));
    EXPECT_EQ(state.value("metadata", ""), "rootless");
    EXPECT_EQ(state["state"].value("id", ""), c);
  }
  EXPECT_GE(agent.notifications(), 2);
  ASSERT_EQ((cmd = as_user({"delete", "--force", c})).exit_code, 0) << cmd.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
