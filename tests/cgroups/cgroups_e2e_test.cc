// The cgroups library on the real kernel, as root. Every cgroup is made below the test's own
// cgroup (a relative cgroupsPath) and named husk-e2e-<pid>-<test>; the environment checks at the
// end that none is left.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>

#include "cgroups.h"
#include "fs.h"
#include "plan.h"

namespace husk::cgroups {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  while (!s.empty() && s.back() == '\n') s.pop_back();
  return s;
}

std::string prefix() { return "husk-e2e-" + std::to_string(::getpid()) + "-"; }

// The directories below which the tests make their cgroups: the own cgroup in each hierarchy.
std::vector<std::string> own_dirs(const Hierarchy& h) {
  std::vector<std::string> dirs;
  for (const auto& [controller, mount] : h.v1_mounts) {
    const auto self = h.self.find(controller);
    dirs.push_back(fs::join(mount, self == h.self.end() ? "/" : self->second));
  }
  if (!h.unified.empty()) dirs.push_back(fs::join(h.unified, h.self.at("")));
  return dirs;
}

class NothingLeftBehind : public ::testing::Environment {
 public:
  void TearDown() override {
    auto h = detect();
    if (!h.ok()) return;
    for (const std::string& dir : own_dirs(*h)) {
      auto children = fs::subdirectories(dir);
      if (!children.ok()) continue;
      for (const std::string& child : *children) {
        if (child.starts_with(prefix())) ADD_FAILURE() << "left behind: " << fs::join(dir, child);
      }
    }
  }
};

const auto* const kEnvironment = ::testing::AddGlobalTestEnvironment(new NothingLeftBehind);

// A child process that waits for go(), runs `body` and exits with its result. Killed and
// reaped by the destructor if still there.
class Child {
 public:
  explicit Child(const std::function<int()>& body) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    pid_ = ::fork();
    if (pid_ == 0) {
      ::close(fds[1]);
      char byte;
      if (::read(fds[0], &byte, 1) != 1) ::_exit(120);
      ::_exit(body());
    }
    ::close(fds[0]);
    go_ = fds[1];
  }
  ~Child() {
    if (go_ >= 0) ::close(go_);
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }
  void go() {
    if (::write(go_, "g", 1) != 1) ADD_FAILURE() << "cannot start child";
    ::close(go_);
    go_ = -1;
  }
  int wait() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int go_ = -1;
  bool reaped_ = false;
};

// Allocates and touches `bytes` of anonymous memory (volatile: the compiler may not drop it).
bool touch_memory(size_t bytes) {
  void* block = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (block == MAP_FAILED) return false;
  volatile char* bytes_of = static_cast<volatile char*>(block);
  for (size_t i = 0; i < bytes; i += 4096) bytes_of[i] = 1;
  return true;
}

// The process state letter from /proc/<pid>/stat (R, S, D, T, ...).
char state_of(pid_t pid) {
  const std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  const size_t paren = stat.rfind(')');
  return paren == std::string::npos || paren + 2 >= stat.size() ? '?' : stat[paren + 2];
}

class CgroupE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root";
    auto h = detect();
    if (!h.ok()) GTEST_SKIP() << "no cgroup tree: " << h.error().text();
    hierarchy_ = *h;
    name_ = prefix() + ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override {
    // Children first (their destructors ran), then the cgroups, whatever the test did.
    for (Cgroup& cg : cgroups_) {
      (void)cg.thaw();
      (void)cg.kill(SIGKILL);
      auto destroyed = cg.destroy();
      EXPECT_TRUE(destroyed.ok()) << destroyed.error().text();
    }
  }

  // Creates a cgroup that TearDown() destroys.
  Cgroup& create(const Resources& r, const Hierarchy* h = nullptr) {
    auto cg = Cgroup::create(h ? *h : hierarchy_, name_, "unused", r);
    if (!cg.ok()) throw std::runtime_error(cg.error().text());
    cgroups_.push_back(std::move(*cg));
    return cgroups_.back();
  }

  bool v1(std::string_view controller) const {
    auto version = route(hierarchy_, controller, controller);
    return version.ok() && *version == Version::kV1;
  }
  // A v1 cgroup file of ours, for `controller`.
  std::string v1_file(const Cgroup& cg, const std::string& controller, const std::string& file) {
    const std::string mount = hierarchy_.v1_mounts.at(controller);
    for (const std::string& path : cg.paths()) {
      if (path.starts_with(mount + "/")) return fs::join(path, file);
    }
    return "";
  }

  Hierarchy hierarchy_;
  std::string name_;
  std::vector<Cgroup> cgroups_;
};

TEST_F(CgroupE2eTest, DetectsTheHost) {
  std::cout << "layout: " << layout_name(hierarchy_.layout) << ", v1 controllers:";
  for (const auto& [controller, mount] : hierarchy_.v1_mounts) std::cout << " " << controller;
  std::cout << ", v2 controllers:";
  for (const auto& c : hierarchy_.v2_controllers) std::cout << " " << c;
  std::cout << "\n";
  // /proc/self/cgroup has a v2 line wherever cgroup2 is (or ever was) mounted: on a legacy
  // layout too when the v2 mount is only hidden, so only its presence elsewhere is sure.
  if (hierarchy_.layout != Layout::kLegacy) {
    EXPECT_TRUE(hierarchy_.self.contains(""));
  }
  EXPECT_EQ(hierarchy_.unified.empty(), hierarchy_.layout == Layout::kLegacy);
}

TEST_F(CgroupE2eTest, CreateAppliesAndDestroyRemoves) {
  Resources r;
  r.memory = MemoryLimits{.limit = 64 << 20};
  r.cpu = CpuLimits{.shares = 512, .quota = 50000, .period = 100000, .cpus = "0", .mems = "0"};
  r.pids = PidsLimit{32};
  Cgroup& cg = create(r);
  // A relative cgroupsPath: below our own cgroup, in each hierarchy.
  std::set<std::string> expected, actual;
  for (const std::string& dir : own_dirs(hierarchy_)) expected.insert(fs::join(dir, name_));
  for (const std::string& path : cg.paths()) actual.insert(path);
  EXPECT_EQ(actual, expected);
  for (const std::string& path : cg.paths()) EXPECT_TRUE(fs::exists(path)) << path;
  auto stats = cg.stats();
  ASSERT_TRUE(stats.ok()) << stats.error().text();
  ASSERT_TRUE(stats->memory && stats->pids);
  EXPECT_EQ(stats->memory->limit, uint64_t{64} << 20);
  EXPECT_EQ(stats->pids->limit, 32u);
  if (v1("cpu")) {
    EXPECT_EQ(read_text(v1_file(cg, "cpu", "cpu.shares")), "512");
    EXPECT_EQ(read_text(v1_file(cg, "cpu", "cpu.cfs_quota_us")), "50000");
    EXPECT_EQ(read_text(v1_file(cg, "cpu", "cpu.cfs_period_us")), "100000");
  }
  if (v1("cpuset")) {
    EXPECT_EQ(read_text(v1_file(cg, "cpuset", "cpuset.cpus")), "0");
  }

  const std::vector<std::string> paths = cg.paths();
  ASSERT_TRUE(cg.destroy().ok());
  for (const std::string& path : paths) EXPECT_FALSE(fs::exists(path)) << path;
  cgroups_.clear();
}

TEST_F(CgroupE2eTest, UpdateUsesTheSamePath) {
  Cgroup& cg = create(Resources{});
  Resources r;
  r.pids = PidsLimit{7};
  ASSERT_TRUE(cg.update(r).ok());
  EXPECT_EQ(cg.stats()->pids->limit, 7u);
  r.pids = PidsLimit{-1};
  ASSERT_TRUE(cg.update(r).ok());
  EXPECT_FALSE(cg.stats()->pids->limit);
}

TEST_F(CgroupE2eTest, AddProcessJoinsEveryHierarchy) {
  Cgroup& cg = create(Resources{});
  Child child([] { return ::pause(); });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  EXPECT_EQ(*cg.processes(false), std::vector<pid_t>{child.pid()});
  for (const std::string& path : cg.paths()) {
    EXPECT_EQ(read_text(fs::join(path, "cgroup.procs")), std::to_string(child.pid())) << path;
  }
  // A later command reopens it from the recorded paths.
  auto again = Cgroup::open_paths(hierarchy_, cg.paths());
  ASSERT_TRUE(again.ok()) << again.error().text();
  EXPECT_EQ(*again->processes(true), std::vector<pid_t>{child.pid()});
}

TEST_F(CgroupE2eTest, PidsLimitStopsFork) {
  Resources r;
  r.pids = PidsLimit{1};
  Cgroup& cg = create(r);
  Child child([] {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    if (pid > 0) {
      ::waitpid(pid, nullptr, 0);
      return 1;
    }
    return errno == EAGAIN ? 0 : 2;
  });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  const int status = child.wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: fork succeeded over the limit; 2: another error";
}

TEST_F(CgroupE2eTest, MemoryHogIsOomKilled) {
  Resources r;
  r.memory = MemoryLimits{.limit = 32 << 20};
  if (v1("memory") &&
      fs::exists(hierarchy_.v1_mounts.at("memory") + "/memory.memsw.usage_in_bytes")) {
    r.memory->swap = 32 << 20;  // no swap either
  }
  Cgroup& cg = create(r);
  Child child([] { return touch_memory(size_t{256} << 20) ? 0 : 3; });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  const int status = child.wait();
  ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
  auto stats = cg.stats();
  ASSERT_TRUE(stats.ok() && stats->memory);
  EXPECT_GE(stats->memory->oom_kills, 1u);
  EXPECT_GE(stats->memory->peak, uint64_t{30} << 20);
}

// v1 refuses a memory limit below the usage it cannot reclaim (EBUSY); v2 takes it and
// reclaims or OOM-kills. checkBeforeUpdate refuses it on both.
TEST_F(CgroupE2eTest, MemoryLimitBelowUsageIsAnError) {
  Cgroup& cg = create(Resources{});
  int ready[2];
  ASSERT_EQ(::pipe2(ready, O_CLOEXEC), 0);
  Child child([&] {
    if (!touch_memory(16 << 20)) return 3;
    (void)!::write(ready[1], "r", 1);
    return ::pause();
  });
  ::close(ready[1]);
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  char byte;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  Resources r;
  if (v1("memory")) {
    r.memory = MemoryLimits{.limit = 1 << 20, .swap = 1 << 20};  // swap too: no way out
    auto updated = cg.update(r);
    ASSERT_FALSE(updated.ok());
    EXPECT_EQ(updated.error().text(),
              "linux.resources.memory.limit: writing 1048576 to memory.limit_in_bytes: Device or "
              "resource busy");
  }
  r.memory = MemoryLimits{.limit = 1 << 20, .check_before_update = true};
  auto updated = cg.update(r);
  ASSERT_FALSE(updated.ok());
  EXPECT_TRUE(updated.error().text().starts_with(
      "linux.resources.memory.limit: 1048576 is below the current usage, "))
      << updated.error().text();
}

TEST_F(CgroupE2eTest, CpusetOutsideTheHostIsAnErrorAndLeavesNothing) {
  Resources r;
  r.cpu = CpuLimits{.cpus = "0-1023"};
  auto cg = Cgroup::create(hierarchy_, name_, "unused", r);
  ASSERT_FALSE(cg.ok());
  // Beyond the kernel's cpu count: ERANGE; within it but not the parent's: EINVAL.
  EXPECT_EQ(cg.error().text(), "linux.resources.cpu.cpus: writing 0-1023 to cpuset.cpus: " +
                                   std::string(std::strerror(cg.error().errno_value())));
  EXPECT_TRUE(cg.error().errno_value() == ERANGE || cg.error().errno_value() == EINVAL);
  for (const std::string& dir : own_dirs(hierarchy_)) {
    EXPECT_FALSE(fs::exists(fs::join(dir, name_))) << dir;
  }
}

// Frozen means no progress: a counter the child bumps stands still until the thaw. The state
// letter depends on the freezer: v1 leaves a task in D (or T), v2 parks it in S.
TEST_F(CgroupE2eTest, FreezeAndThaw) {
  Cgroup& cg = create(Resources{});
  auto* counter = static_cast<volatile uint64_t*>(
      ::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0));
  ASSERT_NE(counter, MAP_FAILED);
  Child child([counter]() -> int {
    for (;;) {
      *counter = *counter + 1;
      ::usleep(1000);
    }
  });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  // Whether the counter moves within `ms`: a running child does within milliseconds, but a
  // loaded machine (or an emulated CPU) may take longer to schedule it.
  const auto advances = [counter](int ms) {
    const uint64_t before = *counter;
    for (int waited = 0; waited < ms && *counter == before; waited += 10) ::usleep(10000);
    return *counter != before;
  };
  ASSERT_TRUE(advances(10000));
  ASSERT_TRUE(cg.freeze().ok());
  EXPECT_TRUE(*cg.frozen());
  EXPECT_FALSE(advances(100));
  const bool v2_freezer = !v1("freezer");
  const char frozen_state = state_of(child.pid());
  if (v2_freezer) {
    EXPECT_EQ(frozen_state, 'S');
  } else {
    EXPECT_TRUE(frozen_state == 'D' || frozen_state == 'T') << frozen_state;
  }
  ASSERT_TRUE(cg.thaw().ok());
  EXPECT_FALSE(*cg.frozen());
  EXPECT_TRUE(advances(10000));
  ::munmap(const_cast<uint64_t*>(counter), 4096);
}

TEST_F(CgroupE2eTest, KillSignalsEveryProcess) {
  Cgroup& cg = create(Resources{});
  std::vector<std::unique_ptr<Child>> children;
  for (int i = 0; i < 3; ++i) {
    children.push_back(std::make_unique<Child>([] { return ::pause(); }));
    ASSERT_TRUE(cg.add_process(children.back()->pid()).ok());
    children.back()->go();
  }
  ASSERT_TRUE(cg.kill(SIGTERM).ok());
  for (auto& child : children) {
    const int status = child->wait();
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  }
  Child last([] { return ::pause(); });
  ASSERT_TRUE(cg.add_process(last.pid()).ok());
  ASSERT_TRUE(cg.kill(SIGKILL).ok());  // cgroup.kill where there is a v2 directory
  const int status = last.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  EXPECT_FALSE(*cg.frozen());
}

TEST_F(CgroupE2eTest, NestedCgroupsAreListedKilledAndRemoved) {
  Cgroup& cg = create(Resources{});
  // What a container does with its own cgroup namespace: sub-cgroups, a process in one.
  for (const std::string& path : cg.paths()) {
    ASSERT_EQ(::mkdir((path + "/sub").c_str(), 0755), 0);
    // A v1 cpuset starts empty; on v2 sub has no cpuset files (nothing enabled for it).
    for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
      if (fs::exists(path + "/sub" + file)) {
        ASSERT_TRUE(fs::write_file(path + "/sub" + file, read_text(path + file)).ok());
      }
    }
  }
  Child child([] { return ::pause(); });
  for (const std::string& path : cg.paths()) {
    ASSERT_TRUE(fs::write_file(path + "/sub/cgroup.procs", std::to_string(child.pid())).ok());
  }
  EXPECT_TRUE(cg.processes(false)->empty());
  EXPECT_EQ(*cg.processes(true), std::vector<pid_t>{child.pid()});
  ASSERT_TRUE(cg.kill(SIGKILL).ok());
  const int status = child.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  const std::vector<std::string> paths = cg.paths();
  auto destroyed = cg.destroy();
  ASSERT_TRUE(destroyed.ok()) << destroyed.error().text();
  for (const std::string& path : paths) EXPECT_FALSE(fs::exists(path)) << path;
  cgroups_.clear();
}

TEST_F(CgroupE2eTest, V1DevicesTakeEffect) {
  if (!v1("devices")) GTEST_SKIP() << "the devices controller is not on cgroup v1 here";
  Resources r;
  r.devices = {DeviceRule{.allow = false},
               DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"}};
  Cgroup& cg = create(r);
  EXPECT_EQ(read_text(v1_file(cg, "devices", "devices.list")), "c 1:3 rwm");
  Child child([] {
    const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    const int zero = ::open("/dev/zero", O_RDONLY | O_CLOEXEC);
    return null >= 0 && zero < 0 && errno == EPERM ? 0 : 1;
  });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  const int status = child.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// The host's v2 mount as a pure v2 hierarchy: what a unified host runs, for real.
class V2E2eTest : public CgroupE2eTest {
 protected:
  void SetUp() override {
    CgroupE2eTest::SetUp();
    if (IsSkipped()) return;
    if (hierarchy_.unified.empty()) GTEST_SKIP() << "the host has no cgroup v2 mount";
    auto self = fs::read_file("/proc/self/cgroup");
    ASSERT_TRUE(self.ok());
    auto v2 = describe(hierarchy_.unified, Layout::kUnified, *self);
    ASSERT_TRUE(v2.ok()) << v2.error().text();
    v2_ = *v2;
    // create() hands every offered controller down from the root; put the root back after.
    root_control_ = read_text(fs::join(v2_.unified, "cgroup.subtree_control"));
  }
  void TearDown() override {
    CgroupE2eTest::TearDown();
    if (v2_.unified.empty()) return;
    const std::string file = fs::join(v2_.unified, "cgroup.subtree_control");
    std::istringstream before(root_control_), now(read_text(file));
    std::set<std::string> had, has;
    for (std::string c; before >> c;) had.insert(c);
    for (std::string c; now >> c;) has.insert(c);
    for (const std::string& c : has) {
      if (!had.contains(c)) (void)fs::write_file(file, "-" + c);
    }
  }
  Hierarchy v2_;
  std::string root_control_;
};

TEST_F(V2E2eTest, CreateJoinFreezeKillDestroy) {
  Cgroup& cg = create(Resources{}, &v2_);
  ASSERT_EQ(cg.paths().size(), 1u);
  Child child([] { return ::pause(); });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  EXPECT_EQ(*cg.processes(true), std::vector<pid_t>{child.pid()});
  ASSERT_TRUE(cg.freeze().ok());
  EXPECT_EQ(read_text(fs::join(cg.paths()[0], "cgroup.freeze")), "1");
  EXPECT_TRUE(*cg.frozen());
  ASSERT_TRUE(cg.thaw().ok());
  EXPECT_FALSE(*cg.frozen());
  ASSERT_TRUE(cg.kill(SIGKILL).ok());
  const int status = child.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  const std::string path = cg.paths()[0];
  ASSERT_TRUE(cg.destroy().ok());
  EXPECT_FALSE(fs::exists(path));
  cgroups_.clear();
}

TEST_F(V2E2eTest, KillWithAnotherSignalFreezesSignalsAndThaws) {
  Cgroup& cg = create(Resources{}, &v2_);
  Child child([] { return ::pause(); });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  ASSERT_TRUE(cg.kill(SIGTERM).ok());
  const int status = child.wait();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
  EXPECT_FALSE(*cg.frozen());
}

TEST_F(V2E2eTest, DeviceProgramDeniesOtherDevices) {
  Resources r;
  r.devices = {DeviceRule{.allow = false},
               DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw"}};
  Cgroup& cg = create(r, &v2_);
  // Device nodes of our own, outside /dev: null (1:3) is allowed, zero (1:5) is not.
  char dir[] = "/tmp/husk-e2e-devices-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string null = std::string(dir) + "/null", zero = std::string(dir) + "/zero";
  ASSERT_EQ(::mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(::mknod(zero.c_str(), S_IFCHR | 0666, makedev(1, 5)), 0);
  Child child([&] {
    const int allowed = ::open(null.c_str(), O_RDWR | O_CLOEXEC);
    const int denied = ::open(zero.c_str(), O_RDONLY | O_CLOEXEC);
    if (allowed < 0) return 1;
    if (denied >= 0) return 2;
    return errno == EPERM ? 0 : 3;
  });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  const int status = child.wait();
  ::unlink(null.c_str());
  ::unlink(zero.c_str());
  ::rmdir(dir);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "1: allowed device refused; 2: denied device opened";

  // An update replaces the program: now zero is allowed too.
  r.devices.push_back(
      DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "r"});
  ASSERT_TRUE(cg.update(r).ok());
  Child again([] { return ::open("/dev/zero", O_RDONLY | O_CLOEXEC) >= 0 ? 0 : 1; });
  ASSERT_TRUE(cg.add_process(again.pid()).ok());
  again.go();
  const int again_status = again.wait();
  EXPECT_TRUE(WIFEXITED(again_status) && WEXITSTATUS(again_status) == 0);
}

TEST_F(V2E2eTest, HugetlbLimitOnARealV2Controller) {
  if (!v2_.v2_controllers.contains("hugetlb")) {
    GTEST_SKIP() << "the host's cgroup v2 mount offers no hugetlb controller";
  }
  if (!fs::exists("/sys/kernel/mm/hugepages/hugepages-2048kB")) {
    GTEST_SKIP() << "the kernel has no 2 MB huge pages";
  }
  Resources r;
  r.hugepage_limits = {{"2MB", 4 << 20}};
  Cgroup& cg = create(r, &v2_);
  EXPECT_EQ(read_text(fs::join(cg.paths()[0], "hugetlb.2MB.max")), "4194304");
}

TEST_F(V2E2eTest, MemoryLimitOnARealV2Controller) {
  if (!v2_.v2_controllers.contains("memory")) {
    GTEST_SKIP() << "the host's cgroup v2 mount offers no memory controller (it is on v1 here)";
  }
  Resources r;
  r.memory = MemoryLimits{.limit = 64 << 20, .swap = 96 << 20};
  Cgroup& cg = create(r, &v2_);
  EXPECT_EQ(read_text(fs::join(cg.paths()[0], "memory.max")), "67108864");
  EXPECT_EQ(read_text(fs::join(cg.paths()[0], "memory.swap.max")), "33554432");
}

TEST_F(CgroupE2eTest, HybridAlsoMakesTheV2Cgroup) {
  if (hierarchy_.layout != Layout::kHybrid) GTEST_SKIP() << "not a hybrid host";
  Cgroup& cg = create(Resources{});
  const std::string v2 = cg.paths().back();
  EXPECT_TRUE(v2.starts_with(hierarchy_.unified + "/")) << v2;
  Child child([] { return ::pause(); });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  EXPECT_EQ(read_text(fs::join(v2, "cgroup.procs")), std::to_string(child.pid()));
}

TEST_F(CgroupE2eTest, StatsOfABusyProcess) {
  Cgroup& cg = create(Resources{});
  Child child([] {
    volatile uint64_t sum = 0;
    for (uint64_t i = 0; i < 50'000'000; ++i) sum = sum + i;
    return 0;
  });
  ASSERT_TRUE(cg.add_process(child.pid()).ok());
  child.go();
  ASSERT_TRUE(WIFEXITED(child.wait()));
  auto stats = cg.stats();
  ASSERT_TRUE(stats.ok() && stats->cpu);
  EXPECT_GT(stats->cpu->usage_usec, 1000u);
  EXPECT_GT(stats->cpu->user_usec + stats->cpu->system_usec, 0u);
}

}  // namespace
}  // namespace husk::cgroups
