// Cgroup against a fake cgroupfs: which directory each write lands in, the v2 subtree_control
// hand-down, errors and the clean-up of a failed create.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroups.h"
#include "fake_tree.h"

namespace husk::cgroups {
namespace {

using testing::FakeTree;

constexpr std::string_view kSelf =
    "9:name=systemd:/\n8:pids:/\n7:blkio:/\n6:freezer:/\n5:devices:/\n4:memory:/user/me\n"
    "3:cpuset:/\n2:cpuacct:/\n1:cpu:/\n0::/\n";

Resources typical() {
  Resources r;
  r.memory = MemoryLimits{.limit = 1048576, .swap = 2097152};
  r.cpu = CpuLimits{.shares = 512, .quota = 50000, .period = 100000, .cpus = "0"};
  r.pids = PidsLimit{64};
  return r;
}

void populate_v1(FakeTree& tree, const std::string& path, const Hierarchy& h) {
  for (const auto& [controller, mount] : h.v1_mounts) {
    const std::string mount_name = mount.substr(tree.root().size() + 1);
    const auto self = h.self.find(controller);
    const std::string own = self == h.self.end() ? "/" : self->second;
    tree.populate(fs::join(mount_name, fs::join(own, path)), controller);
  }
}

TEST(CgroupTest, LegacyRelativePathLandsBelowOwnCgroupPerController) {
  FakeTree tree(Layout::kLegacy);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  auto cg = Cgroup::create(h, "ctr", "id", typical());
  ASSERT_TRUE(cg.ok()) << cg.error().text();
  EXPECT_EQ(tree.read("memory/user/me/ctr/memory.limit_in_bytes"), "1048576");
  EXPECT_EQ(tree.read("memory/user/me/ctr/memory.memsw.limit_in_bytes"), "2097152");
  EXPECT_EQ(tree.read("cpu/ctr/cpu.shares"), "512");
  EXPECT_EQ(tree.read("cpu/ctr/cpu.cfs_quota_us"), "50000");
  EXPECT_EQ(tree.read("cpu/ctr/cpu.cfs_period_us"), "100000");
  EXPECT_EQ(tree.read("cpuset/ctr/cpuset.cpus"), "0");
  EXPECT_EQ(tree.read("pids/ctr/pids.max"), "64");
  const auto paths = cg->paths();
  EXPECT_EQ(paths.size(), 13u);  // one per v1 hierarchy
  EXPECT_NE(std::find(paths.begin(), paths.end(), tree.root() + "/memory/user/me/ctr"),
            paths.end());
}

TEST(CgroupTest, EmptyPathIsSlashId) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy("0::/ignored\n");
  tree.populate("abc", "v2");
  auto cg = Cgroup::create(h, "", "abc", Resources{});
  ASSERT_TRUE(cg.ok()) << cg.error().text();
  EXPECT_EQ(cg->paths(), std::vector<std::string>{tree.root() + "/abc"});
  auto bad = Cgroup::create(h, "", "../x", Resources{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(), "container id \"../x\" cannot name a cgroup");
  bad = Cgroup::create(h, "a/../../b", "x", Resources{});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(),
            "cgroupsPath \"a/../../b\": not a cgroup below the hierarchy's root");
}

TEST(CgroupTest, UnifiedHandsControllersDownAndConverts) {
  FakeTree tree(Layout::kUnified);
  tree.write("cgroup.controllers", "memory pids");
  const Hierarchy h = tree.hierarchy("0::/user\n");
  tree.populate("user/ctr", "v2");
  tree.write("user/cgroup.subtree_control", "memory pids");  // already handed down: not written
  Resources r = typical();
  r.cpu.reset();
  r.unified = {{"memory.high", "900000"}};
  auto cg = Cgroup::create(h, "ctr", "id", r);
  ASSERT_TRUE(cg.ok()) << cg.error().text();
  EXPECT_EQ(tree.read("cgroup.subtree_control"), "+pids");  // "+memory", then "+pids"
  EXPECT_EQ(tree.read("user/cgroup.subtree_control"), "memory pids");
  EXPECT_EQ(tree.read("user/ctr/cgroup.subtree_control"), "");
  EXPECT_EQ(tree.read("user/ctr/memory.max"), "1048576");
  EXPECT_EQ(tree.read("user/ctr/memory.swap.max"), "1048576");
  EXPECT_EQ(tree.read("user/ctr/memory.high"), "900000");
  EXPECT_EQ(tree.read("user/ctr/pids.max"), "64");
}

TEST(CgroupTest, UnifiedCpuConversions) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  tree.populate("ctr", "v2");
  Resources r;
  r.cpu = CpuLimits{.shares = 1024, .quota = -1, .period = 100000};
  r.block_io = BlockIoLimits{.weight = 500};
  r.pids = PidsLimit{-1};
  ASSERT_TRUE(Cgroup::create(h, "/ctr", "id", r).ok());
  EXPECT_EQ(tree.read("ctr/cpu.weight"), "39");
  EXPECT_EQ(tree.read("ctr/cpu.max"), "max 100000");
  EXPECT_EQ(tree.read("ctr/io.weight"), "default 4950");
  EXPECT_EQ(tree.read("ctr/pids.max"), "max");
}

TEST(CgroupTest, HybridPutsV2OnlyControllersOnTheV2Mount) {
  FakeTree tree(Layout::kHybrid);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  tree.populate("unified/ctr", "v2");
  Resources r;
  r.memory = MemoryLimits{.limit = 4194304};
  r.hugepage_limits = {{"2MB", 2097152}};
  auto cg = Cgroup::create(h, "ctr", "id", r);
  ASSERT_TRUE(cg.ok()) << cg.error().text();
  EXPECT_EQ(tree.read("memory/user/me/ctr/memory.limit_in_bytes"), "4194304");
  EXPECT_EQ(tree.read("unified/cgroup.subtree_control"), "+hugetlb");
  EXPECT_EQ(tree.read("unified/ctr/hugetlb.2MB.max"), "2097152");
  EXPECT_EQ(cg->paths().back(), tree.root() + "/unified/ctr");  // the v2 directory last
}

TEST(CgroupTest, BlkioWeightFallsBackToBfq) {
  FakeTree tree(Layout::kLegacy);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  Resources r;
  r.block_io = BlockIoLimits{.weight = 200};
  ASSERT_TRUE(Cgroup::create(h, "ctr", "id", r).ok());
  EXPECT_EQ(tree.read("blkio/ctr/blkio.weight"), "200");
  ASSERT_EQ(::unlink((tree.root() + "/blkio/ctr/blkio.weight").c_str()), 0);  // no CFQ
  tree.write("blkio/ctr/blkio.bfq.weight", "");
  r.block_io->weight = 300;
  ASSERT_TRUE(Cgroup::open(h, "ctr", "id")->update(r).ok());
  EXPECT_EQ(tree.read("blkio/ctr/blkio.bfq.weight"), "300");
}

TEST(CgroupTest, FailedCreateLeavesNothingBehind) {
  FakeTree tree(Layout::kLegacy);
  const Hierarchy h = tree.hierarchy(kSelf);
  tree.populate("memory/user/me", "memory");
  Resources r;
  r.pids = PidsLimit{10};
  // A fake directory has no interface files: the first write fails.
  auto cg = Cgroup::create(h, "new/ctr", "id", r);
  ASSERT_FALSE(cg.ok());
  EXPECT_EQ(cg.error().text(),
            "linux.resources.pids.limit: writing 10 to pids.max: No such file or directory");
  EXPECT_EQ(cg.error().errno_value(), ENOENT);
  for (const char* dir : {"pids/new", "memory/user/me/new", "cpu/new", "systemd/new"}) {
    EXPECT_FALSE(tree.exists(dir)) << dir;
  }
  EXPECT_TRUE(tree.exists("memory/user/me"));  // what was there stays
}

TEST(CgroupTest, UnknownUnifiedKey) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  Resources r;
  r.unified = {{"memory.bogus", "1"}};
  auto cg = Cgroup::create(h, "/ctr", "id", r);
  ASSERT_FALSE(cg.ok());
  EXPECT_EQ(cg.error().text(),
            "linux.resources.unified.memory.bogus: writing 1 to memory.bogus: No such file or "
            "directory");
  EXPECT_FALSE(tree.exists("ctr"));
}

TEST(CgroupTest, MissingControllerFailsBeforeCreatingAnything) {
  FakeTree tree(Layout::kHybrid);
  const Hierarchy h = tree.hierarchy(kSelf);
  Resources r;
  r.network = NetworkLimits{.class_id = 7};
  auto cg = Cgroup::create(h, "ctr", "id", r);
  ASSERT_FALSE(cg.ok());
  EXPECT_EQ(cg.error().text(),
            "linux.resources.network.classID: the host has no net_cls controller");
  EXPECT_FALSE(tree.exists("pids/ctr"));
}

TEST(CgroupTest, UpdateChecksUsageBeforeLowering) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  tree.populate("ctr", "v2");
  auto cg = Cgroup::create(h, "/ctr", "id", Resources{});
  ASSERT_TRUE(cg.ok());
  tree.write("ctr/memory.current", "2000000\n");
  Resources r;
  r.memory = MemoryLimits{.limit = 1000000, .check_before_update = true};
  auto updated = cg->update(r);
  ASSERT_FALSE(updated.ok());
  EXPECT_EQ(updated.error().text(),
            "linux.resources.memory.limit: 1000000 is below the current usage, 2000000 in "
            "memory.current (checkBeforeUpdate)");
  EXPECT_EQ(tree.read("ctr/memory.max"), "");
  r.memory->limit = 3000000;
  ASSERT_TRUE(cg->update(r).ok());
  EXPECT_EQ(tree.read("ctr/memory.max"), "3000000");
}

// A cgroup that exists is never taken over: with a process it is refused, empty it is joined,
// and destroy() leaves it where it was.
TEST(CgroupTest, AnExistingCgroupIsJoinedOnlyWhenEmptyAndNeverRemoved) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy("0::/\n");
  tree.populate("victim", "v2");
  tree.populate("victim/sub", "v2");
  tree.write("victim/sub/cgroup.procs", "4242\n");
  Resources r;
  r.pids = PidsLimit{10};
  auto taken = Cgroup::create(h, "/victim", "id", r);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().text(),
            "the cgroup " + tree.root() +
                "/victim exists and has processes in it (1): a container joins only an empty "
                "cgroup that it did not create");
  EXPECT_EQ(tree.read("victim/pids.max"), "");  // nothing written

  tree.write("victim/sub/cgroup.procs", "");
  auto joined = Cgroup::create(h, "/victim", "id", r);
  ASSERT_TRUE(joined.ok()) << joined.error().text();
  EXPECT_TRUE(joined->created_paths().empty());
  EXPECT_FALSE(joined->created_any());
  ASSERT_TRUE(joined->destroy().ok());
  EXPECT_TRUE(tree.exists("victim/sub"));

  // Reopened from a state record, only what was created is removed.
  auto reopened = Cgroup::open_paths(h, joined->paths(), joined->created_paths());
  ASSERT_TRUE(reopened.ok()) << reopened.error().text();
  ASSERT_TRUE(reopened->destroy().ok());
  EXPECT_TRUE(tree.exists("victim"));
}

TEST(CgroupTest, OpenPathsRoundTrip) {
  FakeTree tree(Layout::kHybrid);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  tree.populate("unified/ctr", "v2");
  auto cg = Cgroup::create(h, "ctr", "id", Resources{});
  ASSERT_TRUE(cg.ok());
  auto again = Cgroup::open_paths(h, cg->paths());
  ASSERT_TRUE(again.ok()) << again.error().text();
  EXPECT_EQ(again->paths(), cg->paths());
  auto by_path = Cgroup::open(h, "ctr", "id");
  ASSERT_TRUE(by_path.ok());
  EXPECT_EQ(by_path->paths(), cg->paths());

  auto outside = Cgroup::open_paths(h, {"/elsewhere/ctr"});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.error().text(),
            "opening the cgroup /elsewhere/ctr: not in a cgroup hierarchy of this host");
  // Resolved from another own cgroup, the memory directory is not there: an error, not a
  // handle that would miss it.
  const Hierarchy elsewhere = tree.hierarchy("4:memory:/other\n0::/\n");
  auto partial = Cgroup::open(elsewhere, "ctr", "id");
  ASSERT_FALSE(partial.ok());
  EXPECT_EQ(partial.error().text(),
            "opening the cgroup " + tree.root() + "/memory/other/ctr: No such file or directory");
  auto missing = Cgroup::open(h, "gone", "id");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().text(),
            "opening the cgroup " + tree.root() + "/blkio/gone: No such file or directory");
}

TEST(CgroupTest, AJoiningProcessWritesZeroToTasksOnV1AndHasTheV2Directory) {
  FakeTree tree(Layout::kHybrid);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  tree.populate("unified/ctr", "v2");
  auto cg = Cgroup::create(h, "ctr", "id", Resources{});
  ASSERT_TRUE(cg.ok()) << cg.error().text();
  auto entry = cg->entry();
  ASSERT_TRUE(entry.ok()) << entry.error().text();
  ASSERT_EQ(entry->paths.size() + 1, cg->paths().size());  // the v2 directory is last
  for (size_t i = 0; i < entry->paths.size(); ++i)
    EXPECT_EQ(entry->paths[i], cg->paths()[i] + "/tasks");
  ASSERT_TRUE(entry->v2_dir.valid());
  struct stat st {
  }, v2{};
  ASSERT_EQ(::fstat(entry->v2_dir.get(), &st), 0);
  ASSERT_EQ(::stat((tree.root() + "/unified/ctr").c_str(), &v2), 0);
  EXPECT_EQ(st.st_ino, v2.st_ino);
  size_t failed = 99;
  EXPECT_EQ(Cgroup::join_self(*entry, &failed), 0);
  EXPECT_EQ(failed, 99u);
  EXPECT_EQ(tree.read("memory/user/me/ctr/tasks"), "0");
  EXPECT_EQ(tree.read("memory/user/me/ctr/cgroup.procs"), "");
  EXPECT_EQ(tree.read("unified/ctr/cgroup.procs"), "");

  // A directory without its file (gone, or not a cgroup): opening fails, naming the file.
  ::unlink((tree.root() + "/pids/ctr/tasks").c_str());
  auto missing = cg->entry();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().text(),
            "opening " + tree.root() + "/pids/ctr/tasks: No such file or directory");
}

TEST(CgroupTest, ProcessesRecursiveAndSorted) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  tree.populate("ctr/sub", "v2");
  tree.write("ctr/cgroup.procs", "30\n10\n");
  tree.write("ctr/sub/cgroup.procs", "20\n10\n");
  auto cg = Cgroup::open(h, "/ctr", "id");
  ASSERT_TRUE(cg.ok());
  EXPECT_EQ(*cg->processes(false), (std::vector<pid_t>{10, 30}));
  EXPECT_EQ(*cg->processes(true), (std::vector<pid_t>{10, 20, 30}));
}

TEST(CgroupTest, FreezeV2WritesCgroupFreezeAndReadsEvents) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  tree.populate("ctr", "v2");
  tree.write("ctr/cgroup.events", "populated 1\nfrozen 1\n");  // the kernel's answer
  auto cg = Cgroup::open(h, "/ctr", "id");
  ASSERT_TRUE(cg.ok());
  ASSERT_TRUE(cg->freeze().ok());
  EXPECT_EQ(tree.read("ctr/cgroup.freeze"), "1");
  EXPECT_TRUE(*cg->frozen());
  ASSERT_TRUE(cg->thaw().ok());
  EXPECT_EQ(tree.read("ctr/cgroup.freeze"), "0");
}

TEST(CgroupTest, FreezeV1UsesTheFreezer) {
  FakeTree tree(Layout::kHybrid);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  tree.populate("unified/ctr", "v2");
  auto cg = Cgroup::open(h, "ctr", "id");
  ASSERT_TRUE(cg.ok());
  ASSERT_TRUE(cg->freeze().ok());  // the fake file reads back what was written: FROZEN
  EXPECT_EQ(tree.read("freezer/ctr/freezer.state"), "FROZEN");
  EXPECT_EQ(tree.read("unified/ctr/cgroup.freeze"), "");
  ASSERT_TRUE(cg->thaw().ok());
  EXPECT_EQ(tree.read("freezer/ctr/freezer.state"), "THAWED");
  EXPECT_FALSE(*cg->frozen());
}

TEST(CgroupTest, StatsV2) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  tree.populate("ctr", "v2");
  tree.write("ctr/memory.current", "4096\n");
  tree.write("ctr/memory.peak", "8192\n");
  tree.write("ctr/memory.max", "max\n");
  tree.write("ctr/memory.events", "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n");
  tree.write("ctr/pids.current", "3\n");
  tree.write("ctr/pids.max", "10\n");
  tree.write("ctr/cpu.stat",
             "usage_usec 100\nuser_usec 60\nsystem_usec 40\nnr_periods 5\nnr_throttled 2\n"
             "throttled_usec 7\n");
  tree.write("ctr/io.stat", "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0\n");
  auto cg = Cgroup::open(h, "/ctr", "id");
  ASSERT_TRUE(cg.ok());
  auto s = cg->stats();
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE(s->memory && s->pids && s->cpu);
  EXPECT_EQ(s->memory->current, 4096u);
  EXPECT_EQ(s->memory->peak, 8192u);
  EXPECT_FALSE(s->memory->limit);
  EXPECT_EQ(s->memory->oom_events, 2u);
  EXPECT_EQ(s->memory->oom_kills, 1u);
  EXPECT_EQ(s->pids->current, 3u);
  EXPECT_EQ(s->pids->limit, 10u);
  EXPECT_EQ(s->cpu->usage_usec, 100u);
  EXPECT_EQ(s->cpu->throttled_periods, 2u);
  EXPECT_EQ(s->cpu->throttled_usec, 7u);
  ASSERT_EQ(s->io.size(), 1u);
  EXPECT_EQ(s->io[0].write_ios, 4u);
}

TEST(CgroupTest, StatsV1) {
  FakeTree tree(Layout::kLegacy);
  const Hierarchy h = tree.hierarchy(kSelf);
  populate_v1(tree, "ctr", h);
  tree.write("memory/user/me/ctr/memory.usage_in_bytes", "4096\n");
  tree.write("memory/user/me/ctr/memory.memsw.usage_in_bytes", "6144\n");
  tree.write("memory/user/me/ctr/memory.limit_in_bytes", "9223372036854771712\n");
  tree.write("memory/user/me/ctr/memory.oom_control",
             "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
  tree.write("cpuacct/ctr/cpuacct.usage", "5000000\n");
  tree.write("cpu/ctr/cpu.stat", "nr_periods 4\nnr_throttled 1\nthrottled_time 2000\n");
  tree.write("pids/ctr/pids.max", "max\n");
  auto cg = Cgroup::open(h, "ctr", "id");
  ASSERT_TRUE(cg.ok());
  auto s = cg->stats();
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->memory->current, 4096u);
  EXPECT_EQ(s->memory->swap_current, 2048u);
  EXPECT_FALSE(s->memory->limit);
  EXPECT_EQ(s->memory->oom_kills, 3u);
  EXPECT_EQ(s->cpu->usage_usec, 5000u);
  EXPECT_EQ(s->cpu->periods, 4u);
  EXPECT_EQ(s->cpu->throttled_usec, 2u);
  EXPECT_FALSE(s->pids->limit);
}

}  // namespace
}  // namespace husk::cgroups
