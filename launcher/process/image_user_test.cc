#include "image_user.h"

#include <gtest/gtest.h>

namespace husk::process {
namespace {

constexpr std::string_view kPasswd =
    "root:x:0:0:root:/root:/bin/sh\n"
    "# a comment line\n"
    "\n"
    "broken line without fields\n"
    "daemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n"
    "nohome:x:1002:1002:::/bin/sh\n"
    "app:x:1000:1000:App,,,:/home/app:/bin/sh\n"
    "again:x:1000:1000::/elsewhere:/bin/sh";  // no final newline

constexpr std::string_view kGroup =
    "root:x:0:\n"
    "wheel:x:10:root,app\n"
    "audio:x:29:app\n"
    "apps:x:1000:\n"
    "bad:x:notanumber:app\n"
    "video:x:44:application,apps\n"
    "staff:x:50:other,app";

TEST(ImageUser, FindsHomeByUid) {
  ImageUser user;
  apply_passwd(kPasswd, 1000, user);
  EXPECT_EQ(user.name, "app");
  EXPECT_EQ(user.home, "/home/app");  // the first entry wins
}

TEST(ImageUser, DefaultsWithoutAnEntry) {
  ImageUser user;
  apply_passwd(kPasswd, 4242, user);
  apply_group(kGroup, user);
  EXPECT_EQ(user.name, "");
  EXPECT_EQ(user.home, "/");
  EXPECT_TRUE(user.groups.empty());
}

TEST(ImageUser, AnEmptyHomeFieldKeepsTheDefault) {
  ImageUser user;
  apply_passwd(kPasswd, 1002, user);
  EXPECT_EQ(user.name, "nohome");
  EXPECT_EQ(user.home, "/");
}

TEST(ImageUser, GroupsNamingTheUserAsMember) {
  ImageUser user;
  apply_passwd(kPasswd, 1000, user);
  apply_group(kGroup, user);
  EXPECT_EQ(user.groups, (std::vector<gid_t>{10, 29, 50}));
}

TEST(ImageUser, RootsGroups) {
  ImageUser user;
  apply_passwd(kPasswd, 0, user);
  apply_group(kGroup, user);
  EXPECT_EQ(user.home, "/root");
  EXPECT_EQ(user.groups, (std::vector<gid_t>{10}));
}

TEST(ImageUser, EmptyFiles) {
  ImageUser user;
  apply_passwd("", 0, user);
  apply_group("", user);
  EXPECT_EQ(user.home, "/");
  EXPECT_TRUE(user.groups.empty());
}

}  // namespace
}  // namespace husk::process
