// The compiled-filter cache in a temporary folder: a second compile of a profile is read back
// equal to a fresh compile; a file that is corrupt, foreign (another key, owner or mode),
// truncated or a link is never used: the profile is compiled again and the file replaced.
#include "seccomp_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>

namespace husk::process {
namespace {

oci::Seccomp profile(uint32_t errno_ret = 1) {
  oci::Seccomp s;
  s.default_action = "SCMP_ACT_ALLOW";
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"};
  oci::SeccompSyscall denied;
  denied.names = {"mkdir", "mkdirat"};
  denied.action = "SCMP_ACT_ERRNO";
  denied.errno_ret = errno_ret;
  s.syscalls.push_back(denied);
  return s;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_all(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

bool same_program(const CompiledSeccomp& a, const CompiledSeccomp& b) {
  if (a.program.size() != b.program.size() || a.flags != b.flags ||
      a.architectures != b.architectures || a.new_listener != b.new_listener)
    return false;
  for (size_t i = 0; i < a.program.size(); ++i) {
    const sock_filter &x = a.program[i], &y = b.program[i];
    if (x.code != y.code || x.jt != y.jt || x.jf != y.jf || x.k != y.k) return false;
  }
  return true;
}

class SeccompCache : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/husk-seccomp-cache-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    dir_ = root_ + "/@seccomp";
    auto fresh = compile_seccomp(profile());
    ASSERT_TRUE(fresh.ok()) << fresh.error().text();
    fresh_ = std::move(*fresh);
    file_ = dir_ + "/" + seccomp_cache_key(profile()) + ".bpf";
  }
  void TearDown() override { (void)std::system(("rm -rf " + root_).c_str()); }

  // Compiles through the cache; the source it reports.
  SeccompSource compile(const oci::Seccomp& s = profile()) {
    SeccompSource source{};
    auto compiled = compile_seccomp_cached(s, dir_, &source);
    EXPECT_TRUE(compiled.ok()) << compiled.error().text();
    if (compiled.ok()) {
      EXPECT_TRUE(same_program(*compiled, *compile_seccomp(s)));
    }
    return source;
  }

  std::string root_, dir_, file_;
  CompiledSeccomp fresh_;
};

TEST_F(SeccompCache, TheSecondCompileIsReadFromTheCache) {
  EXPECT_EQ(compile(), SeccompSource::kStored);
  struct stat st {};
  ASSERT_EQ(::stat(dir_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, ::geteuid());
  EXPECT_EQ(compile(), SeccompSource::kCached);
  EXPECT_EQ(compile(), SeccompSource::kCached);
}

TEST_F(SeccompCache, TheKeyCoversTheWholeProfile) {
  EXPECT_EQ(seccomp_cache_key(profile()), seccomp_cache_key(profile()));
  EXPECT_EQ(seccomp_cache_key(profile()).size(), 64u);
  EXPECT_NE(seccomp_cache_key(profile(1)), seccomp_cache_key(profile(2)));
  oci::Seccomp other = profile();
  other.syscalls[0].names.push_back("rmdir");
  EXPECT_NE(seccomp_cache_key(other), seccomp_cache_key(profile()));
  other = profile();
  other.syscalls[0].args.push_back({0, 1, 0, "SCMP_CMP_EQ"});
  EXPECT_NE(seccomp_cache_key(other), seccomp_cache_key(profile()));
  other = profile();
  other.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  EXPECT_NE(seccomp_cache_key(other), seccomp_cache_key(profile()));
  // Each profile has its own file: errno 2 compiled and cached does not answer errno 1.
  EXPECT_EQ(compile(profile(2)), SeccompSource::kStored);
  EXPECT_EQ(compile(profile(1)), SeccompSource::kStored);
  EXPECT_EQ(compile(profile(2)), SeccompSource::kCached);
}

TEST_F(SeccompCache, ACorruptFileIsRebuilt) {
  ASSERT_EQ(compile(), SeccompSource::kStored);
  const std::string good = read_all(file_);
  // Each byte of the file changed in turn: header, architectures, program, checksum.
  for (size_t at : {size_t{0}, size_t{9}, size_t{41}, size_t{60}, good.size() / 2, good.size() - 40,
                    good.size() - 1}) {
    std::string bad = good;
    bad[at] = static_cast<char>(bad[at] ^ 0x5a);
    write_all(file_, bad);
    EXPECT_EQ(compile(), SeccompSource::kStored) << "byte " << at;
    EXPECT_EQ(read_all(file_), good) << "byte " << at;
  }
  write_all(file_, good.substr(0, good.size() - 8));  // truncated
  EXPECT_EQ(compile(), SeccompSource::kStored);
  write_all(file_, good + "more");  // too long
  EXPECT_EQ(compile(), SeccompSource::kStored);
  write_all(file_, "");
  EXPECT_EQ(compile(), SeccompSource::kStored);
  EXPECT_EQ(compile(), SeccompSource::kCached);
}

TEST_F(SeccompCache, AnotherProfilesFileUnderThisKeyIsNotUsed) {
  ASSERT_EQ(compile(profile(2)), SeccompSource::kStored);
  ASSERT_EQ(::rename((dir_ + "/" + seccomp_cache_key(profile(2)) + ".bpf").c_str(), file_.c_str()),
            0);
  EXPECT_EQ(compile(profile(1)), SeccompSource::kStored);  // its header names the other key
  EXPECT_EQ(compile(profile(1)), SeccompSource::kCached);
}

TEST_F(SeccompCache, AFileWithAnotherModeOwnerOrTypeIsNotTrusted) {
  ASSERT_EQ(compile(), SeccompSource::kStored);
  ASSERT_EQ(::chmod(file_.c_str(), 0644), 0);
  EXPECT_EQ(compile(), SeccompSource::kStored);
  struct stat st {};
  ASSERT_EQ(::stat(file_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  if (::geteuid() == 0) {
    ASSERT_EQ(::chown(file_.c_str(), 1234, 1234), 0);
    EXPECT_EQ(compile(), SeccompSource::kStored);
    ASSERT_EQ(::stat(file_.c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, 0u);
  }
  // A link to a good file elsewhere is not followed.
  const std::string elsewhere = root_ + "/elsewhere.bpf";
  ASSERT_EQ(::rename(file_.c_str(), elsewhere.c_str()), 0);
  ASSERT_EQ(::symlink(elsewhere.c_str(), file_.c_str()), 0);
  EXPECT_EQ(compile(), SeccompSource::kStored);
  ASSERT_EQ(::lstat(file_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
}

TEST_F(SeccompCache, AFolderThatIsNotLaunchsOwnIsNeitherReadNorWritten) {
  ASSERT_EQ(compile(), SeccompSource::kStored);
  ASSERT_EQ(::chmod(dir_.c_str(), 0755), 0);
  EXPECT_EQ(compile(), SeccompSource::kCompiled);
  ASSERT_EQ(::unlink(file_.c_str()), 0);
  EXPECT_EQ(compile(), SeccompSource::kCompiled);
  struct stat st {};
  EXPECT_NE(::stat(file_.c_str(), &st), 0);
  // No folder given: always compiled.
  SeccompSource source{};
  ASSERT_TRUE(compile_seccomp_cached(profile(), "", &source).ok());
  EXPECT_EQ(source, SeccompSource::kCompiled);
}

}  // namespace
}  // namespace husk::process
