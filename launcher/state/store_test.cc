#include "state/store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace husk::launch {
namespace {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/husk-store-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    root_ = dir_ + "/root";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_, root_;
};

TEST_F(StoreTest, CreateWriteReadRemove) {
  {
    auto dir = StateDir::create(root_, "c1");
    ASSERT_TRUE(dir.ok()) << dir.error().text();
    auto again = StateDir::create(root_, "c1");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().text(), "container c1 already exists (" + root_ + "/c1)");
    Record record;
    record.state.id = "c1";
    record.state.status = ContainerStatus::kCreated;
    record.cgroup_paths = {"/x"};
    ASSERT_TRUE(dir->write(record).ok());
    auto back = dir->read();
    ASSERT_TRUE(back.ok()) << back.error().text();
    EXPECT_EQ(back->cgroup_paths, record.cgroup_paths);
    EXPECT_FALSE(std::filesystem::exists(root_ + "/c1/.state.json"));  // renamed into place
    // A record replaced: the new one is read, and the old one (exchanged out) is gone.
    record.state.status = ContainerStatus::kRunning;
    record.cgroup_paths = {"/y"};
    ASSERT_TRUE(dir->write(record).ok());
    back = dir->read();
    ASSERT_TRUE(back.ok()) << back.error().text();
    EXPECT_EQ(back->cgroup_paths, record.cgroup_paths);
    EXPECT_FALSE(std::filesystem::exists(root_ + "/c1/.state.json"));
    // Bytes that are not UTF-8 could be written but never read back: refused, the record kept.
    Record unreadable = record;
    unreadable.cgroup_paths = {"/sys/fs/cgroup/pids/\xff"};
    auto refused = dir->write(unreadable);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().text(),
              "state.json: a path in the record (the bundle's, or a cgroup's) is not UTF-8");
    back = dir->read();
    ASSERT_TRUE(back.ok()) << back.error().text();
    EXPECT_EQ(back->cgroup_paths, record.cgroup_paths);
    auto ids = list_ids(root_);
    ASSERT_TRUE(ids.ok());
    EXPECT_EQ(*ids, std::vector<std::string>{"c1"});
  }  // dropped without keep(): removed
  EXPECT_FALSE(std::filesystem::exists(root_ + "/c1"));
  auto missing = StateDir::open(root_, "c1");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().text(), "container c1 does not exist");
  EXPECT_FALSE(StateDir::exists(root_, "c1"));
  EXPECT_EQ(StateDir::open(root_, "../x").error().text(),
            "container ID \"../x\" may only hold letters, digits, '_', '.', '+' and '-'");
}

// A read-only command's look at the lock: held by a create at work, or by nobody.
TEST_F(StoreTest, LockedElsewhere) {
  auto created = StateDir::create(root_, "c1");
  ASSERT_TRUE(created.ok()) << created.error().text();
  auto look = StateDir::open_unlocked(root_, "c1");
  ASSERT_TRUE(look.ok()) << look.error().text();
  EXPECT_TRUE(look->locked_elsewhere());
  created->unlock();
  EXPECT_FALSE(look->locked_elsewhere());
  // The look dropped the shared lock it took: an exclusive one is free.
  auto locked = StateDir::open(root_, "c1");
  ASSERT_TRUE(locked.ok()) << locked.error().text();
  EXPECT_TRUE(look->locked_elsewhere());
}

// containerd's shim passes --root ROOT/NAMESPACE before the namespace has a container: the
// missing folders are made, each 0700.
TEST_F(StoreTest, AMissingRootIsMadeWithItsParents) {
  const std::string root = dir_ + "/shim/namespace";
  auto dir = StateDir::create(root, "c1");
  ASSERT_TRUE(dir.ok()) << dir.error().text();
  struct stat st {};
  ASSERT_EQ(::stat((dir_ + "/shim").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ::close(::open((dir_ + "/file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
  auto below_a_file = StateDir::create(dir_ + "/file/root", "c2");
  ASSERT_FALSE(below_a_file.ok());
  EXPECT_EQ(below_a_file.error().text(),
            "creating state root " + dir_ + "/file/root: Not a directory");
}

TEST_F(StoreTest, KeptAndLockedAgainstOtherProcesses) {
  {
    auto dir = StateDir::create(root_, "c1");
    ASSERT_TRUE(dir.ok());
    dir->keep();
    // Held here: another process cannot take the lock.
    pid_t child = ::fork();
    if (child == 0) {
      int fd = ::open((root_ + "/c1").c_str(), O_RDONLY | O_DIRECTORY);
      ::_exit(::flock(fd, LOCK_EX | LOCK_NB) == 0 ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_EQ(WEXITSTATUS(status), 1);
  }
  ASSERT_TRUE(std::filesystem::exists(root_ + "/c1"));
  auto opened = StateDir::open(root_, "c1");
  ASSERT_TRUE(opened.ok()) << opened.error().text();
  EXPECT_FALSE(opened->has_record());
  EXPECT_EQ(opened->read().error().text(),
            "container c1 has no state yet (being created, or left by a killed launch create: "
            "delete --force removes it)");
  ASSERT_TRUE(opened->remove().ok());
  EXPECT_FALSE(std::filesystem::exists(root_ + "/c1"));
}

}  // namespace
}  // namespace husk::launch
