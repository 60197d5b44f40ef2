#include "safe_path.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace husk::rootfs {
namespace {

namespace fs = std::filesystem;

TEST(CleanPath, Lexical) {
  EXPECT_EQ(clean_path("/a//b/../c/."), "/a/c");
  EXPECT_EQ(clean_path("../../../etc"), "/etc");
  EXPECT_EQ(clean_path("/../.."), "/");
  EXPECT_EQ(clean_path(""), "/");
  EXPECT_EQ(clean_path("proc/sys/"), "/proc/sys");
  EXPECT_EQ(path_components("/a/b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(path_components("/").empty());
}

// A temporary tree standing in for a rootfs, next to an "outside" directory standing in for the
// host. Needs no privilege.
class InRoot : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/husk-safe-path-XXXXXX";
    base_ = mkdtemp(tmpl);
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    fs::create_directories(root_);
    fs::create_directories(outside_);
    root_fd_ = UniqueFd(open(root_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_fd_.valid());
  }
  void TearDown() override { fs::remove_all(base_); }

  // The path inside the root that an fd ends up at, or "" when it is outside.
  std::string where(const UniqueFd& fd) {
    std::string target = fs::read_symlink(fd_path(fd.get()));
    if (target == root_.string()) return "/";
    if (!target.starts_with(root_.string() + "/")) return "outside: " + target;
    return target.substr(root_.string().size());
  }

  fs::path base_, root_, outside_;
  UniqueFd root_fd_;
};

TEST_F(InRoot, CreatesMissingDirectoriesAndFile) {
  auto fd = create_in_root(root_fd_.get(), "/a/b/c", Create::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(where(*fd), "/a/b/c");
  EXPECT_TRUE(fs::is_directory(root_ / "a/b/c"));
  fd = create_in_root(root_fd_.get(), "/etc/hosts", Create::kFile);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_TRUE(fs::is_regular_file(root_ / "etc/hosts"));
  // Existing: used as it is.
  fd = create_in_root(root_fd_.get(), "/a/b", Create::kFile);
  ASSERT_TRUE(fd.ok());
  EXPECT_TRUE(fs::is_directory(root_ / "a/b"));
}

TEST_F(InRoot, AbsoluteSymlinkStaysInside) {
  // /mnt -> / in the image, absolute link to the outside too.
  fs::create_directory_symlink("/", root_ / "mnt");
  fs::create_directory_symlink(outside_, root_ / "host");
  auto fd = create_in_root(root_fd_.get(), "/mnt/x", Create::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(where(*fd), "/x");
  EXPECT_TRUE(fs::is_directory(root_ / "x"));

  fd = create_in_root(root_fd_.get(), "/host/y", Create::kFile);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_FALSE(fs::exists(outside_ / "y"));
  EXPECT_EQ(where(*fd), outside_.string() + "/y");  // the same path, but inside the root
}

TEST_F(InRoot, RelativeSymlinkAndDotDotStayInside) {
  fs::create_directories(root_ / "a");
  fs::create_directory_symlink("../../../../../..", root_ / "a/up");
  auto fd = create_in_root(root_fd_.get(), "/a/up/z", Create::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(where(*fd), "/z");
  fd = create_in_root(root_fd_.get(), "../../../w", Create::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(where(*fd), "/w");
  EXPECT_FALSE(fs::exists(base_ / "w"));
}

TEST_F(InRoot, DanglingSymlinkTargetIsCreatedInside) {
  fs::create_symlink(outside_ / "new-file", root_ / "last");
  auto fd = create_in_root(root_fd_.get(), "/last", Create::kFile);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_FALSE(fs::exists(outside_ / "new-file"));
  EXPECT_TRUE(fs::is_regular_file(root_ / outside_.relative_path() / "new-file"));

  fs::create_directory_symlink("/var/run", root_ / "run");
  fd = create_in_root(root_fd_.get(), "/run/lock", Create::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(where(*fd), "/var/run/lock");
}

// Several missing levels below a dangling link: each made in its resolved parent, the link's
// target first, all inside the root.
TEST_F(InRoot, MissingLevelsBelowADanglingLinkAreMadeInside) {
  fs::create_directory_symlink(outside_ / "x/y", root_ / "deep");
  auto fd = create_in_root(root_fd_.get(), "/deep/b/c", Create::kFile);
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(where(*fd), outside_.string() + "/x/y/b/c");
  EXPECT_TRUE(fs::is_regular_file(root_ / outside_.relative_path() / "x/y/b/c"));
  EXPECT_TRUE(fs::is_empty(outside_));
}

TEST_F(InRoot, SymlinkLoopIsAnError) {
  fs::create_symlink("/b", root_ / "a");
  fs::create_symlink("/a", root_ / "b");
  auto fd = create_in_root(root_fd_.get(), "/a/x", Create::kDirectory);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().text(), "open /a/x in the rootfs: Too many levels of symbolic links");
}

TEST_F(InRoot, MagicLinksAreRefused) {
  fs::create_directories(root_ / "proc/self");
  fs::create_symlink("/proc/self/cwd", root_ / "cwd");  // a plain symlink: stays inside
  auto fd = open_in_root(root_fd_.get(), "/cwd", O_PATH);
  EXPECT_FALSE(fd.ok());  // /proc/self/cwd does not exist inside the root
  fd = open_in_root(root_fd_.get(), "/missing", O_PATH);
  ASSERT_FALSE(fd.ok());
  EXPECT_EQ(fd.error().text(), "open /missing in the rootfs: No such file or directory");
}

}  // namespace
}  // namespace husk::rootfs
