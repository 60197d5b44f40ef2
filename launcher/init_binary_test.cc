#include "init_binary.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace husk::launch {
namespace {

TEST(InitBinary, Argv) {
  std::vector<std::string> want{"husk", "-v", "-w", "-g", "--", "sh", "-c", "true"};
  EXPECT_EQ(init_argv({{"run.husk.args", " -v  -w "}}, {"-g"}, {"sh", "-c", "true"}), want);
  EXPECT_EQ(init_argv({}, {}, {"true"}), (std::vector<std::string>{"husk", "--", "true"}));
}

TEST(InitBinary, SealedCopyCannotBeWritten) {
  auto fd = sealed_copy("/bin/true");
  ASSERT_TRUE(fd.ok()) << fd.error().text();
  EXPECT_EQ(::write(fd->get(), "x", 1), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::ftruncate(fd->get(), 0), -1);
  int seals = ::fcntl(fd->get(), F_GET_SEALS);
  EXPECT_EQ(seals & (F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK),
            F_SEAL_SEAL | F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK);
  EXPECT_EQ(::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  // The same bytes as the file.
  EXPECT_EQ(::lseek(fd->get(), 0, SEEK_END),
            ::lseek(::open("/bin/true", O_RDONLY | O_CLOEXEC), 0, SEEK_END));
}

TEST(InitBinary, FindInit) {
  EXPECT_EQ(*find_init("/bin/true"), "/bin/true");
  auto missing = find_init("/nonexistent/husk");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().text(), "--init-path /nonexistent/husk: No such file or directory");
}

}  // namespace
}  // namespace husk::launch
