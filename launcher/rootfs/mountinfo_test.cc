#include "mountinfo.h"

#include <gtest/gtest.h>

namespace husk::rootfs {
namespace {

constexpr const char* kMountinfo =
    "26 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw,discard\n"
    "30 22 0:27 / /tmp rw,relatime - tmpfs tmpfs rw,mode=755\n"
    "41 30 0:31 /sub /tmp/my\\040dir rw master:3 - tmpfs tmpfs rw\n"
    "garbage line\n";

TEST(Mountinfo, Parses) {
  auto mounts = parse_mountinfo(kMountinfo);
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fstype, "ext4");
  EXPECT_EQ(mounts[0].super_options, "rw,discard");
  EXPECT_EQ(mounts[2].root, "/sub");
  EXPECT_EQ(mounts[2].mount_point, "/tmp/my dir");
}

TEST(Mountinfo, MountPointOf) {
  auto mounts = parse_mountinfo(kMountinfo);
  EXPECT_EQ(mount_point_of(mounts, "/srv/bundle/rootfs"), "/");
  EXPECT_EQ(mount_point_of(mounts, "/tmp/bundle/rootfs"), "/tmp");
  EXPECT_EQ(mount_point_of(mounts, "/tmp"), "/tmp");
  EXPECT_EQ(mount_point_of(mounts, "/tmpx/rootfs"), "/");
  EXPECT_EQ(mount_point_of(mounts, "/tmp/my dir/rootfs"), "/tmp/my dir");
}

TEST(Mountinfo, Split) {
  EXPECT_EQ(split("a,b,,c", ','), (std::vector<std::string>{"a", "b", "", "c"}));
  EXPECT_EQ(split("", ','), (std::vector<std::string>{""}));
}

}  // namespace
}  // namespace husk::rootfs
