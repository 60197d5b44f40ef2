// linux.resources on a unified (pure v2) host, through launch: each field as the v2 file runc and
// crun write, read from inside the container (its own /sys/fs/cgroup) and from the host; the
// container's view of /sys/fs/cgroup with and without a cgroup namespace, read-only unless asked.
// Skipped elsewhere: tests/vm/run boots a unified kernel for them (scripts/test does).
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

bool unified_host() {
  struct statfs st {};
  return ::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

#define REQUIRE_UNIFIED()                                                              \
  do {                                                                                 \
    HUSK_E2E_REQUIRE_ROOT();                                                           \
    if (!unified_host()) GTEST_SKIP() << "needs a pure cgroup v2 host (tests/vm/run)"; \
  } while (0)

// The mountinfo line of the host's /sys/fs/cgroup, from the mount point on.
std::string host_cgroup_mount() {
  std::istringstream lines(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point;
    f >> id >> parent >> dev >> root >> point;
    if (point == "/sys/fs/cgroup") return line.substr(line.find(" /sys/fs/cgroup "));
  }
  return "";
}

// The host directory of a process's v2 cgroup.
std::string cgroup_dir(const std::string& pid) {
  std::string text = read_text("/proc/" + pid + "/cgroup");
  std::string path = text.substr(text.find("0::") + 3);
  path = path.substr(0, path.find('\n'));
  return "/sys/fs/cgroup" + (path == "/" ? "" : path);
}

// "FILE=VALUE" lines, one per file, as a shell loop in the container prints them.
std::string print_files(const std::vector<std::string>& files) {
  std::string script = "cd /sys/fs/cgroup && for f in";
  for (const auto& f : files) script += " " + f;
  return script + "; do echo \"$f=$(cat $f)\"; done";
}

std::map<std::string, std::string> parse_files(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) out[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return out;
}

std::string block_device_number(const std::string& device) {
  struct stat st {};
  if (::stat(device.c_str(), &st) != 0 || !S_ISBLK(st.st_mode)) return "";
  return std::to_string(major(st.st_rdev)) + ":" + std::to_string(minor(st.st_rdev));
}

// Every field of linux.resources that has a v2 file, with runc's conversions: the container
// reads its own cgroup's files, the host reads the same directory from outside.
TEST(CgroupV2, ResourcesAsTheFilesRuncWrites) {
  REQUIRE_UNIFIED();
  Bundle bundle;
  auto& r = bundle.config()["linux"]["resources"];
  r["memory"] = {{"limit", 64 << 20}, {"reservation", 32 << 20}, {"swap", 96 << 20}};
  r["cpu"] = {{"shares", 1024}, {"quota", 50000}, {"period", 100000},
              {"burst", 10000}, {"cpus", "0"},    {"mems", "0"}};
  r["pids"] = {{"limit", 20}};
  r["blockIO"] = {{"weight", 500}};
  std::vector<std::string> files = {"memory.max",  "memory.low", "memory.swap.max", "memory.high",
                                    "cpu.weight",  "cpu.max",    "cpu.max.burst",   "cpuset.cpus",
                                    "cpuset.mems", "pids.max",   "io.weight"};
  const std::string vda = block_device_number("/dev/vda");  // the VM's scratch disk
  if (!vda.empty()) {
    const auto colon = vda.find(':');
    r["blockIO"]["throttleReadBpsDevice"] = {{{"major", std::stoi(vda.substr(0, colon))},
                                              {"minor", std::stoi(vda.substr(colon + 1))},
                                              {"rate", 1048576}}};
    files.push_back("io.max");
  }
  const bool hugetlb =
      read_text("/sys/fs/cgroup/cgroup.controllers").find("hugetlb") != std::string::npos;
  if (hugetlb) {
    r["hugepageLimits"] = {{{"pageSize", "2MB"}, {"limit", 4 << 20}}};
    files.push_back("hugetlb.2MB.max");
    files.push_back("hugetlb.2MB.rsvd.max");
  }
  r["unified"] = {{"memory.high", std::to_string(48 << 20)}};
  bundle.set_namespace("cgroup");
  bundle.shell(print_files(files) + "; echo ready; exec sleep 30");
  const std::string pid_file = bundle.dir() + "/pid";
  Running running = bundle.start({"--pid-file", pid_file});
  ASSERT_TRUE(running.wait_for_output("ready\n")) << running.out();
  const std::string dir = cgroup_dir(read_text(pid_file));
  auto inside = parse_files(running.out());
  std::map<std::string, std::string> expected = {
      {"memory.max", "67108864"},
      {"memory.low", "33554432"},
      {"memory.swap.max", "33554432"},  // memory+swap minus memory
      {"memory.high", "50331648"},      // unified
      {"cpu.weight", "39"},             // 1 + (1024 - 2) * 9999 / 262142
      {"cpu.max", "50000 100000"},
      {"cpu.max.burst", "10000"},
      {"cpuset.cpus", "0"},
      {"cpuset.mems", "0"},
      {"pids.max", "20"},
      {"io.weight", "default 4950"},  // 1 + (500 - 10) * 9999 / 990
  };
  if (!vda.empty()) expected["io.max"] = vda + " rbps=1048576 wbps=max riops=max wiops=max";
  if (hugetlb) {
    expected["hugetlb.2MB.max"] = "4194304";
    expected["hugetlb.2MB.rsvd.max"] = "4194304";
  }
  for (const auto& [file, value] : expected) {
    EXPECT_EQ(inside[file], value) << file << " inside";
    std::string outside = read_text(dir + "/" + file);
    if (!outside.empty() && outside.back() == '\n') outside.pop_back();
    EXPECT_EQ(outside, value) << file << " in " << dir;
  }
  running.signal(SIGTERM);
  running.wait();
  EXPECT_EQ(bundle.leftovers(), "");
}

// One resource block set, one cgroup file read from inside the container (cgroup namespace).
std::string file_inside(const std::string& key, const nlohmann::json& value,
                        const std::string& file) {
  Bundle bundle;
  bundle.config()["linux"]["resources"][key] = value;
  bundle.set_namespace("cgroup");
  bundle.shell("cat /sys/fs/cgroup/" + file);
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
  return result.out;
}

TEST(CgroupV2, CpuIdle) {
  REQUIRE_UNIFIED();
  EXPECT_EQ(file_inside("cpu", {{"idle", 1}}, "cpu.idle"), "1\n");
}

// Swap: -1 is unlimited; equal to the memory limit, no swap at all.
TEST(CgroupV2, SwapUnlimitedAndNone) {
  REQUIRE_UNIFIED();
  EXPECT_EQ(file_inside("memory", {{"limit", 64 << 20}, {"swap", -1}}, "memory.swap.max"), "max\n");
  EXPECT_EQ(file_inside("memory", {{"limit", 64 << 20}, {"swap", 64 << 20}}, "memory.swap.max"),
            "0\n");
}

// Runs `command` with /bin/sh -c; its exit status.
int sh(const std::string& command) {
  int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// linux.resources.rdma on a soft-RoCE device (rdma_rxe over a dummy link): rdma.max as the
// container reads it, an unknown device refused in one line. scripts/test runs it alone, in a VM
// of its own that loads the modules (HUSK_VM_MODULES): once an rxe device has been made and
// removed, the kernel hung the next container of a suite.
TEST(CgroupV2, RdmaLimitsOnASoftRoceDevice) {
  REQUIRE_UNIFIED();
  if (!std::filesystem::exists("/sys/module/rdma_rxe") || sh("command -v rdma >/dev/null") != 0)
    GTEST_SKIP() << "needs the rdma_rxe module and iproute2's rdma (scripts/test: a VM of its own)";
  const std::string link = "husk-rdma" + std::to_string(::getpid() % 100000);
  const std::string device = "husk-rxe" + std::to_string(::getpid() % 100000);
  ASSERT_EQ(sh("ip link add " + link + " type dummy && ip link set " + link +
               " up && rdma link add " + device + " type rxe netdev " + link),
            0);
  nlohmann::json limits = {{device, {{"hcaHandles", 3}, {"hcaObjects", 100}}}};
  // The kernel ends each line of rdma.max with a space.
  EXPECT_EQ(file_inside("rdma", limits, "rdma.max"), device + " hca_handle=3 hca_object=100 \n");
  limits = {{device, {{"hcaHandles", 5}}}};  // the other one stays max
  EXPECT_EQ(file_inside("rdma", limits, "rdma.max"), device + " hca_handle=5 hca_object=max \n");
  {
    Bundle bundle;
    bundle.config()["linux"]["resources"]["rdma"] = {{"husk-nodevice", {{"hcaHandles", 1}}}};
    bundle.shell("echo ran");
    RunResult result = bundle.run();
    EXPECT_NE(result.exit_code, 0);
    EXPECT_EQ(result.out, "");
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("linux.resources.rdma"), std::string::npos) << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
  // Removing the link removes the rxe device on it (Debian 12's `rdma link delete` crashes).
  EXPECT_EQ(sh("ip link del " + link), 0);
  EXPECT_FALSE(std::filesystem::exists("/sys/class/infiniband/" + device));
}

// runtime-spec 1.3: pids.limit -1 is "max"; 0 is a limit of no new process at all.
TEST(CgroupV2, PidsMinusOneIsMaxZeroIsZero) {
  REQUIRE_UNIFIED();
  EXPECT_EQ(file_inside("pids", {{"limit", -1}}, "pids.max"), "max\n");
  {
    Bundle bundle;
    bundle.config()["linux"]["resources"]["pids"] = {{"limit", 0}};
    bundle.shell("(echo forked)");  // only a forked child would print it
    RunResult result = bundle.run();
    EXPECT_EQ(result.out.find("forked"), std::string::npos) << result.out;
    EXPECT_NE(result.err.find("Resource temporarily unavailable"), std::string::npos) << result.err;
    EXPECT_EQ(bundle.leftovers(), "");
  }
}

// /sys/fs/cgroup inside is the container's own cgroup (its pids.max, its processes only), read
// only, with a cgroup namespace and without; the host's cgroup2 mount is unchanged afterwards.
TEST(CgroupV2, TheContainerSeesItsOwnCgroupReadOnly) {
  REQUIRE_UNIFIED();
  const std::string host_mount = host_cgroup_mount();
  for (bool cgroupns : {true, false}) {
    Bundle bundle;
    bundle.config()["linux"]["resources"]["pids"] = {{"limit", 33}};
    if (cgroupns) bundle.set_namespace("cgroup");
    bundle.shell(
        "cat /sys/fs/cgroup/pids.max; wc -l </sys/fs/cgroup/cgroup.procs; "
        "grep ' /sys/fs/cgroup ' /proc/self/mountinfo | cut -d' ' -f6 | cut -d, -f1; "
        "r=$( (echo $$ >/sys/fs/cgroup/cgroup.procs) 2>&1 ); echo \"write: ${r##*: }\"");
    RunResult result = bundle.run();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    // husk as PID 1, sh, and the pipeline's wc: at most three, never the host's processes.
    std::istringstream lines(result.out);
    std::string pids_max, procs, mount_options, write;
    std::getline(lines, pids_max);
    std::getline(lines, procs);
    std::getline(lines, mount_options);
    std::getline(lines, write);
    EXPECT_EQ(pids_max, "33") << "cgroupns " << cgroupns << ": " << result.out;
    EXPECT_LE(std::stoi("0" + procs), 3) << result.out;
    EXPECT_EQ(mount_options, "ro") << result.out;
    EXPECT_EQ(write, "write: Read-only file system") << result.out;
    EXPECT_EQ(bundle.leftovers(), "");
  }
  EXPECT_EQ(host_cgroup_mount(), host_mount);
}

// Asked for "rw" with a cgroup namespace, the container manages its own cgroup (a sub-cgroup
// for its own use), and launch still removes all of it afterwards.
TEST(CgroupV2, AskedForReadWriteTheContainerManagesItsCgroup) {
  REQUIRE_UNIFIED();
  const std::string host_mount = host_cgroup_mount();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 33}};
  bundle.set_namespace("cgroup");
  for (auto& mount : bundle.config()["mounts"]) {
    if (mount["destination"] == "/sys/fs/cgroup") mount["options"] = {"nosuid", "noexec", "rw"};
  }
  bundle.shell(
      "grep ' /sys/fs/cgroup ' /proc/self/mountinfo | cut -d' ' -f6 | cut -d, -f1; "
      "cat /sys/fs/cgroup/pids.max; mkdir /sys/fs/cgroup/sub && echo made");
  RunResult result = bundle.run();
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "rw\n33\nmade\n") << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
  EXPECT_EQ(host_cgroup_mount(), host_mount);
}

// Runs `argv` as uid/gid `id` from the v2 cgroup `cgroup` (absolute below /sys/fs/cgroup):
// exit code, stdout and stderr.
RunResult run_as(uid_t id, const std::string& cgroup, const std::vector<std::string>& argv) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return {};
  const pid_t pid = ::fork();
  if (pid == 0) {
    const std::string self = std::to_string(::getpid());
    const int procs =
        ::open(("/sys/fs/cgroup" + cgroup + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC);
    if (procs < 0 || ::write(procs, self.data(), self.size()) < 0) ::_exit(120);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (::setgroups(0, nullptr) != 0 || ::setgid(id) != 0 || ::setuid(id) != 0) ::_exit(121);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  RunResult result;
  const auto drain = [](int fd, std::string& into) {
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) into.append(buf, n);
    ::close(fd);
  };
  drain(out[0], result.out);
  drain(err[0], result.err);
  int status = 0;
  ::waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

// Copies of launch and husk that any user can run: the build tree may sit below a folder only
// root can enter (a clone under /root, or a home directory of mode 0700).
struct BinariesForAnyone {
  BinariesForAnyone() {
    char tmpl[] = "/tmp/husk-bin-XXXXXX";
    dir = ::mkdtemp(tmpl);
    ::chmod(dir.c_str(), 0755);
    launch = dir + "/launch";
    husk = dir + "/husk";
    std::filesystem::copy_file(Bundle::launch_path(), launch);
    std::filesystem::copy_file(Bundle::husk_path(), husk);
    ::chmod(launch.c_str(), 0755);
    ::chmod(husk.c_str(), 0755);
    const char* init = ::getenv("HUSK_INIT_PATH");
    saved_init = init ? init : "";
    ::setenv("HUSK_INIT_PATH", husk.c_str(), 1);
  }
  ~BinariesForAnyone() {
    if (saved_init.empty()) {
      ::unsetenv("HUSK_INIT_PATH");
    } else {
      ::setenv("HUSK_INIT_PATH", saved_init.c_str(), 1);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::string dir, launch, husk, saved_init;
};

// Rootless on v2: a user who owns a delegated subtree, and runs launch from inside it, gets the
// container's limits there (read from inside); without one, launch says in one line that the
// limits need such a subtree (--rootless auto), or which directory it could not create
// (--rootless false: the caller's own rights, and a cgroup required as for root).
TEST(CgroupV2, RootlessWithAndWithoutADelegatedSubtree) {
  REQUIRE_UNIFIED();
  constexpr uid_t kUser = 1000;
  Bundle bundle;
  auto& config = bundle.config();
  config["linux"]["uidMappings"] = {{{"containerID", 0}, {"hostID", kUser}, {"size", 1}}};
  config["linux"]["gidMappings"] = {{{"containerID", 0}, {"hostID", kUser}, {"size", 1}}};
  bundle.set_namespace("user");
  config["linux"]["resources"] = {{"pids", {{"limit", 17}}},
                                  {"memory", {{"limit", 64 << 20}}}};  // no device rules
  for (auto& mount : config["mounts"]) {
    if (mount["destination"] == "/dev/pts") {
      mount["options"] = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
    }
  }
  bundle.shell("cat /sys/fs/cgroup/pids.max /sys/fs/cgroup/memory.max");
  const std::string delegated = "/" + bundle.cgroup_name() + "-delegated";
  config["linux"]["cgroupsPath"] = delegated + "/container";
  BinariesForAnyone binaries;
  auto argv_for_user = [&](const std::string& rootless) {
    std::vector<std::string> argv = bundle.launch_argv({"--rootless", rootless});
    argv[0] = binaries.launch;
    return argv;
  };
  std::vector<std::string> argv = argv_for_user("auto");
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(bundle.dir(), ec)) {
    (void)::lchown(entry.path().c_str(), kUser, kUser);
  }
  (void)::lchown(bundle.dir().c_str(), kUser, kUser);

  // What systemd does for a user's service: the subtree and its core files are the user's, and
  // the user's processes are in a leaf of it.
  const std::string root = "/sys/fs/cgroup" + delegated;
  ASSERT_EQ(::mkdir(root.c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((root + "/shell").c_str(), 0755), 0);
  struct RemovedAtTheEnd {  // the user's subtree, once the processes in it are gone
    std::string root;
    ~RemovedAtTheEnd() {
      ::rmdir((root + "/shell").c_str());
      ::rmdir(root.c_str());
    }
  } removed{root};
  for (const std::string& dir : {root, root + "/shell"}) {
    for (const char* file : {"", "/cgroup.procs", "/cgroup.subtree_control", "/cgroup.threads"})
      EXPECT_EQ(::chown((dir + file).c_str(), kUser, kUser), 0) << dir << file;
  }
  RunResult result = run_as(kUser, delegated + "/shell", argv);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "17\n67108864\n") << result.err;
  EXPECT_FALSE(std::filesystem::exists(root + "/container"));

  config["linux"]["cgroupsPath"] = "/" + bundle.cgroup_name() + "-not-delegated/container";
  result = run_as(kUser, delegated + "/shell", argv_for_user("auto"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err,
            "launch: error: linux.resources: rootless, limits need a cgroup the caller may create "
            "(a delegated cgroup v2 subtree): creating the cgroup: creating /sys/fs/cgroup/" +
                bundle.cgroup_name() + "-not-delegated: Permission denied\n");
  result = run_as(kUser, delegated + "/shell", argv_for_user("false"));
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("linux.cgroupsPath: creating the cgroup: creating /sys/fs/cgroup/" +
                            bundle.cgroup_name() + "-not-delegated: Permission denied"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
