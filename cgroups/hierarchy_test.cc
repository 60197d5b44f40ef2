#include <gtest/gtest.h>

#include "cgroups.h"
#include "fake_tree.h"

namespace husk::cgroups {
namespace {

using testing::FakeTree;

TEST(DescribeTest, Hybrid) {
  FakeTree tree(Layout::kHybrid);
  const Hierarchy h =
      tree.hierarchy("4:memory:/user/me\n9:name=systemd:/\n1:cpu,cpuacct:/\n0::/x\n");
  EXPECT_EQ(h.layout, Layout::kHybrid);
  EXPECT_EQ(h.root, tree.root());
  EXPECT_EQ(h.v1_mounts.size(), 9u);
  EXPECT_EQ(h.v1_mounts.at("memory"), tree.root() + "/memory");
  EXPECT_EQ(h.v1_mounts.at("name=systemd"), tree.root() + "/systemd");
  EXPECT_FALSE(h.v1_mounts.contains("unified"));
  EXPECT_EQ(h.unified, tree.root() + "/unified");
  EXPECT_EQ(h.v2_controllers, (std::set<std::string>{"hugetlb"}));
  EXPECT_EQ(h.self, (std::map<std::string, std::string>{{"memory", "/user/me"},
                                                        {"name=systemd", "/"},
                                                        {"cpu", "/"},
                                                        {"cpuacct", "/"},
                                                        {"", "/x"}}));
}

TEST(DescribeTest, LayoutNames) {
  EXPECT_EQ(layout_name(Layout::kUnified), "unified");
  EXPECT_EQ(layout_name(Layout::kLegacy), "legacy");
  EXPECT_EQ(layout_name(Layout::kHybrid), "hybrid");
}

TEST(DescribeTest, Unified) {
  FakeTree tree(Layout::kUnified);
  const Hierarchy h = tree.hierarchy();
  EXPECT_EQ(h.layout, Layout::kUnified);
  EXPECT_TRUE(h.v1_mounts.empty());
  EXPECT_EQ(h.unified, tree.root());
  EXPECT_EQ(h.v2_controllers,
            (std::set<std::string>{"cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma"}));
}

TEST(DescribeTest, LegacyWithJointMounts) {
  FakeTree tree(Layout::kUnified);  // an empty folder with two v1 mounts below
  ASSERT_EQ(::mkdir((tree.root() + "/cpu,cpuacct").c_str(), 0755), 0);
  ASSERT_EQ(::mkdir((tree.root() + "/memory").c_str(), 0755), 0);
  auto h = describe(tree.root(), Layout::kLegacy, "");
  ASSERT_TRUE(h.ok()) << h.error().text();
  EXPECT_TRUE(h->unified.empty());
  EXPECT_TRUE(h->v2_controllers.empty());
  EXPECT_EQ(h->v1_mounts,
            (std::map<std::string, std::string>{{"cpu", tree.root() + "/cpu,cpuacct"},
                                                {"cpuacct", tree.root() + "/cpu,cpuacct"},
                                                {"memory", tree.root() + "/memory"}}));
}

TEST(DescribeTest, BadProcSelfCgroup) {
  FakeTree tree(Layout::kUnified);
  auto h = describe(tree.root(), Layout::kUnified, "garbage\n");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(h.error().text(), "/proc/self/cgroup: \"garbage\" is not id:controllers:path");
}

TEST(DescribeTest, MissingRoot) {
  auto h = describe("/nonexistent-husk-root", Layout::kLegacy, "");
  ASSERT_FALSE(h.ok());
  EXPECT_EQ(
      h.error().text(),
      "describing the cgroup tree: listing /nonexistent-husk-root: No such file or directory");
}

TEST(DetectTest, ATemporaryFolderIsNotACgroupTree) {
  FakeTree tree(Layout::kUnified);  // tmpfs or a disk: either way not cgroupfs
  auto h = detect(tree.root());
  if (h.ok()) {
    EXPECT_EQ(h->layout, Layout::kLegacy);  // /tmp on tmpfs looks like a v1 root
  } else {
    EXPECT_EQ(h.error().text(),
              tree.root() + " is neither a cgroup2 mount nor a tmpfs of v1 hierarchies");
  }
}

}  // namespace
}  // namespace husk::cgroups
