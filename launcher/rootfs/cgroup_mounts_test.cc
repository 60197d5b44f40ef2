#include "cgroup_mounts.h"

#include <gtest/gtest.h>

namespace husk::rootfs {
namespace {

constexpr const char* kHybridMountinfo =
    "26 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
    "30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
    "34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "39 30 0:36 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n"
    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
    "41 30 0:31 /sub /mnt/mem\\040copy rw,relatime - cgroup cgroup rw,memory\n";

constexpr const char* kHybridCgroup =
    "9:name=systemd:/\n"
    "4:memory:/ci/job\n"
    "2:cpu,cpuacct:/\n"
    "0::/\n";

TEST(HostCgroups, Hybrid) {
  HostCgroups host = parse_host_cgroups(kHybridMountinfo, kHybridCgroup);
  ASSERT_EQ(host.v1.size(), 3u);
  EXPECT_FALSE(host.v2_only());
  EXPECT_EQ(host.v1[0].mount_point, "/sys/fs/cgroup/cpu,cpuacct");
  EXPECT_EQ(host.v1[0].controllers, (std::vector<std::string>{"cpu", "cpuacct"}));
  EXPECT_EQ(host.v1[1].mount_point, "/sys/fs/cgroup/memory");
  EXPECT_EQ(host.v1[1].own_path, "/ci/job");
  EXPECT_EQ(host.v1[2].controllers, (std::vector<std::string>{"name=systemd"}));
  ASSERT_EQ(host.unified.size(), 1u);
  EXPECT_EQ(host.unified[0].mount_point, "/sys/fs/cgroup/unified");
  EXPECT_TRUE(host.unified[0].v2);
}

TEST(HostCgroups, UnifiedOnly) {
  HostCgroups host =
      parse_host_cgroups("35 24 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n",
                         "0::/user.slice\n");
  EXPECT_TRUE(host.v2_only());
  ASSERT_EQ(host.unified.size(), 1u);
  EXPECT_EQ(host.unified[0].own_path, "/user.slice");
}

TEST(HostCgroups, EscapedMountPoint) {
  HostCgroups host = parse_host_cgroups(
      "41 30 0:31 /sub /mnt/mem\\040copy rw - cgroup cgroup rw,memory\n", "4:memory:/sub/x\n");
  ASSERT_EQ(host.v1.size(), 1u);
  EXPECT_EQ(host.v1[0].mount_point, "/mnt/mem copy");
  EXPECT_EQ(host.v1[0].mount_root, "/sub");
}

}  // namespace
}  // namespace husk::rootfs
