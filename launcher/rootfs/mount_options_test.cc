#include "mount_options.h"

#include <gtest/gtest.h>
#include <linux/mount.h>
#include <sys/mount.h>

namespace husk::rootfs {
namespace {

MountOptions parse_ok(const std::vector<std::string>& words) {
  auto result = parse_mount_options(words);
  EXPECT_TRUE(result.ok()) << result.error().text();
  return result.ok() ? *result : MountOptions{};
}

std::string parse_error(const std::vector<std::string>& words) {
  auto result = parse_mount_options(words);
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.error().text();
}

TEST(MountOptions, FlagWordsSetAndClear) {
  auto o = parse_ok({"nosuid", "noexec", "nodev", "ro", "strictatime", "dirsync", "sync"});
  EXPECT_EQ(o.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY | MS_STRICTATIME | MS_DIRSYNC |
                         MS_SYNCHRONOUS);
  EXPECT_EQ(o.clear_flags, 0u);
  EXPECT_TRUE(o.data.empty());

  o = parse_ok({"ro", "rw", "suid", "dev", "exec", "async", "atime", "nomand", "symfollow"});
  EXPECT_EQ(o.flags, 0u);
  EXPECT_EQ(o.clear_flags, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_SYNCHRONOUS |
                               MS_NOATIME | MS_MANDLOCK | 256u /* MS_NOSYMFOLLOW */);
  EXPECT_EQ(parse_ok({"defaults"}).flags, 0u);
  EXPECT_EQ(parse_ok({"remount", "mand", "nodiratime"}).flags,
            MS_REMOUNT | MS_MANDLOCK | MS_NODIRATIME);
}

TEST(MountOptions, LastAtimeWordWins) {
  EXPECT_EQ(parse_ok({"noatime", "relatime"}).flags, MS_RELATIME);
  EXPECT_EQ(parse_ok({"relatime", "strictatime"}).flags, MS_STRICTATIME);
}

TEST(MountOptions, BindAndRbind) {
  auto o = parse_ok({"bind"});
  EXPECT_TRUE(o.bind());
  EXPECT_FALSE(o.recursive());
  o = parse_ok({"rbind", "ro"});
  EXPECT_TRUE(o.bind());
  EXPECT_TRUE(o.recursive());
  EXPECT_EQ(o.flags, MS_BIND | MS_REC | MS_RDONLY);
}

TEST(MountOptions, PropagationInOrder) {
  auto o = parse_ok({"rbind", "rslave", "shared", "private", "runbindable", "rprivate", "slave",
                     "unbindable", "rshared"});
  EXPECT_EQ(o.propagation, (std::vector<unsigned long>{
                               MS_SLAVE | MS_REC, MS_SHARED, MS_PRIVATE, MS_UNBINDABLE | MS_REC,
                               MS_PRIVATE | MS_REC, MS_SLAVE, MS_UNBINDABLE, MS_SHARED | MS_REC}));
  EXPECT_EQ(o.flags, MS_BIND | MS_REC);
}

TEST(MountOptions, PropagationNames) {
  EXPECT_EQ(*parse_propagation("rslave"), MS_SLAVE | MS_REC);
  EXPECT_EQ(*parse_propagation("private"), static_cast<unsigned long>(MS_PRIVATE));
  auto bad = parse_propagation("rshard");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().text(), "unknown propagation \"rshard\"");
}

TEST(MountOptions, RecursiveAttributes) {
  auto o = parse_ok(
      {"rbind", "rro", "rnosuid", "rnodev", "rnoexec", "rnodiratime", "rnosymfollow", "rnoatime"});
  EXPECT_EQ(o.rec_attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW |
                                MOUNT_ATTR_NOATIME);
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
  EXPECT_EQ(o.flags, MS_BIND | MS_REC);

  o = parse_ok({"bind", "rro", "rrw", "rsuid", "rdev", "rexec", "rdiratime", "rsymfollow"});
  EXPECT_EQ(o.rec_attr_set, 0u);
  EXPECT_EQ(o.rec_attr_clr, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME | MOUNT_ATTR_NOSYMFOLLOW);

  o = parse_ok({"rbind", "rstrictatime", "rrelatime"});
  EXPECT_EQ(o.rec_attr_set & MOUNT_ATTR__ATIME, static_cast<uint64_t>(MOUNT_ATTR_RELATIME));
  EXPECT_EQ(o.rec_attr_clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
}

TEST(MountOptions, TopAttrChange) {
  auto change = top_attr_change(parse_ok({"bind", "ro", "nosuid", "exec", "noatime"}));
  EXPECT_EQ(change.set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOATIME);
  EXPECT_EQ(change.clr, MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME);
  change = top_attr_change(parse_ok({"bind", "relatime"}));
  EXPECT_EQ(change.set, 0u);
  EXPECT_EQ(change.clr, static_cast<uint64_t>(MOUNT_ATTR__ATIME));
  EXPECT_TRUE(top_attr_change(parse_ok({"rbind", "sync", "dirsync"})).empty());
}

TEST(MountOptions, IdmapWords) {
  auto o = parse_ok({"bind", "idmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_FALSE(o.idmap_recursive);
  o = parse_ok({"rbind", "ridmap"});
  EXPECT_TRUE(o.idmap);
  EXPECT_TRUE(o.idmap_recursive);
}

TEST(MountOptions, Tmpcopyup) {
  EXPECT_TRUE(parse_ok({"tmpcopyup", "mode=755"}).tmpcopyup);
  EXPECT_EQ(parse_ok({"tmpcopyup", "mode=755"}).data_string(), "mode=755");
  EXPECT_FALSE(parse_ok({"mode=755"}).tmpcopyup);
}

TEST(MountOptions, UnknownWordsAreFilesystemData) {
  auto o = parse_ok({"nosuid", "mode=755", "size=65536k", "newinstance", "ptmxmode=0666"});
  EXPECT_EQ(o.flags, static_cast<unsigned long>(MS_NOSUID));
  EXPECT_EQ(o.data_string(), "mode=755,size=65536k,newinstance,ptmxmode=0666");
}

TEST(MountOptions, Errors) {
  EXPECT_EQ(parse_error({"ro", ""}), "empty option word");
  EXPECT_EQ(parse_error({"mode=755,uid=0"}),
            "option \"mode=755,uid=0\": a word may not contain ','");
  EXPECT_EQ(parse_error({"rro"}),
            "recursive options (rro, rnosuid, ...) need \"bind\" or \"rbind\"");
  EXPECT_EQ(parse_error({"rnoatime"}),
            "recursive options (rro, rnosuid, ...) need \"bind\" or \"rbind\"");
  EXPECT_EQ(parse_error({"idmap"}), "option \"idmap\" needs \"bind\" or \"rbind\"");
}

}  // namespace
}  // namespace husk::rootfs
