// The container's root filesystem through `launch`: the config's mounts as the container sees
// them, devices, masked and read-only paths, and the symlink escapes (CVE-2021-30465,
// CVE-2025-31133 class), each leaving the host untouched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

namespace fs = std::filesystem;

nlohmann::json bind_mount(const std::string& destination, const std::string& source,
                          std::vector<std::string> options) {
  return {{"destination", destination}, {"type", "bind"}, {"source", source}, {"options", options}};
}

TEST(Rootfs, ConfigMountsAsTheContainerSeesThem) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  // "mountpoint fstype" of each mount, then the devices and the read-only / masked paths.
  bundle.shell(
      "while read -r id parent dev root point opts rest; do"
      "  echo \"$point ${rest#*- }\" | cut -d' ' -f1,2; done < /proc/self/mountinfo;"
      "ls -l /dev/null /dev/zero /dev/tty | cut -c1,36-44;"
      "readlink /dev/ptmx; readlink /dev/fd; echo > /proc/sys/kernel/domainname || echo ro-sys;"
      "touch /newfile || echo ro-root; wc -c < /proc/keys");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  for (const char* line : {"/ ", "/proc proc", "/dev tmpfs", "/dev/pts devpts", "/dev/shm tmpfs",
                           "/dev/mqueue mqueue", "/sys sysfs", "/tmp tmpfs", "/proc/keys tmpfs",
                           "/proc/sys proc", "ro-sys", "ro-root", "pts/ptmx", "/proc/self/fd"}) {
    EXPECT_NE(("\n" + result.out).find(std::string("\n") + line), std::string::npos)
        << line << " not in:\n"
        << result.out;
  }
  EXPECT_EQ(result.out.find(bundle.dir()), std::string::npos) << "a host path shows:\n"
                                                              << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

// The image has /mnt -> / and a link to a host directory; the config binds to /mnt/x, to a
// path below the link, and to ../../../y. All of it lands inside the rootfs.
TEST(Rootfs, SymlinkedDestinationsDoNotEscape) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string name = "husk-escape-" + std::to_string(::getpid());
  std::string outside = bundle.dir() + "/outside";
  fs::create_directories(outside);
  fs::create_directories(bundle.dir() + "/payload");
  std::ofstream(bundle.dir() + "/payload/file") << "payload\n";
  fs::remove_all(bundle.rootfs() + "/mnt");
  fs::create_directory_symlink("/", bundle.rootfs() + "/mnt");
  fs::create_directory_symlink(outside, bundle.rootfs() + "/evil");
  auto& mounts = bundle.config()["mounts"];
  mounts.push_back(bind_mount("/mnt/" + name, bundle.dir() + "/payload", {"bind", "ro"}));
  mounts.push_back(bind_mount("/evil/dir", bundle.dir() + "/payload", {"bind"}));
  mounts.push_back(bind_mount("../../../" + name + "-2", bundle.dir() + "/payload", {"rbind"}));
  bundle.shell("cat /" + name + "/file /" + name + "-2/file " + outside + "/dir/file");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "payload\npayload\npayload\n");
  EXPECT_FALSE(fs::exists("/" + name));
  EXPECT_FALSE(fs::exists("/" + name + "-2"));
  EXPECT_FALSE(fs::exists(outside + "/dir"));
  EXPECT_TRUE(fs::is_directory(bundle.rootfs() + "/" + name));
  EXPECT_EQ(bundle.leftovers(), "");
}

// CVE-2025-31133: /dev/null of the image is a symlink to a host file and /dev is not a tmpfs.
// The masked paths get the real null device; the host file is never bound or written.
TEST(Rootfs, SymlinkedDevNullDoesNotLeakIntoMaskedPaths) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string secret = bundle.dir() + "/secret";
  std::ofstream(secret) << "host secret\n";
  fs::create_directories(bundle.rootfs() + "/dev");
  fs::create_symlink(secret, bundle.rootfs() + "/dev/null");
  auto& mounts = bundle.config()["mounts"];
  for (size_t i = 0; i < mounts.size(); ++i) {
    if (mounts[i]["destination"] == "/dev") mounts.erase(i);
  }
  bundle.shell(
      "cat /proc/kcore /proc/keys /proc/timer_list | wc -c; echo x > /proc/keys; "
      "ls -l /proc/keys | cut -c1");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "0\nc\n");
  std::ifstream in(secret);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "host secret\n");
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Rootfs, MissingBindSourceIsOneLine) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  auto& mounts = bundle.config()["mounts"];
  mounts.push_back(bind_mount("/data", "/nonexistent-husk-source", {"bind"}));
  std::string expected = "mounts[" + std::to_string(mounts.size() - 1) +
                         "] /data: open_tree /nonexistent-husk-source: No such file or directory";
  bundle.shell("true");
  RunResult result = bundle.run();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find(expected), std::string::npos) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Rootfs, BindOptionsAndOverlay) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string dir = bundle.dir();
  for (const char* sub : {"/data", "/lower1", "/lower2", "/upper", "/work"}) {
    fs::create_directories(dir + sub);
  }
  fs::copy_file("/bin/busybox", dir + "/data/busybox");
  std::ofstream(dir + "/lower1/a") << "one\n";
  std::ofstream(dir + "/lower2/b") << "two\n";
  auto& mounts = bundle.config()["mounts"];
  mounts.push_back(bind_mount("/ro", dir + "/data", {"bind", "ro"}));
  mounts.push_back(bind_mount("/noexec", dir + "/data", {"bind", "noexec"}));
  mounts.push_back({{"destination", "/merged"},
                    {"type", "overlay"},
                    {"source", "overlay"},
                    {"options", {"lowerdir=lower1:lower2", "upperdir=upper", "workdir=work"}}});
  bundle.shell(
      "touch /ro/x 2>/dev/null || echo ro; /noexec/busybox true 2>/dev/null || echo noexec;"
      "cat /merged/a /merged/b; echo new > /merged/c");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "ro\nnoexec\none\ntwo\n");
  EXPECT_TRUE(fs::exists(dir + "/upper/c"));
  EXPECT_EQ(bundle.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
