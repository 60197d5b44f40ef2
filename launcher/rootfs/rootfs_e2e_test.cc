// rootfs end-to-end: setup_rootfs for real, as root, in a forked child inside new namespaces, on
// a temporary busybox-static rootfs. The child reports what it sees as "key=value" lines over a
// pipe; the parent asserts, and checks that the host (its own mountinfo, paths outside the
// rootfs) is unchanged.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <sstream>

#include "idmap.h"
#include "mount_ops.h"
#include "rootfs.h"
#include "test_config.h"

namespace husk::rootfs {
namespace {

using testing::mount_of;
using testing::runc_spec_mounts;

namespace fs = std::filesystem;

using Report = std::map<std::string, std::string>;

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string escape_newlines(const std::string& text) {
  std::string out;
  for (char c : text)
    out += c == '\n' ? std::string("\\n") : c == '\\' ? std::string("\\\\") : std::string(1, c);
  return out;
}

std::string unescape_newlines(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      out += text[++i] == 'n' ? '\n' : text[i];
    } else {
      out += text[i];
    }
  }
  return out;
}

// In the child: the mountinfo line whose mount point is `path` (the last one: the top), as
// "fstype options superoptions", or "none".
std::string mount_at(const std::string& path) {
  std::istringstream lines(read_file("/proc/self/mountinfo"));
  std::string line, found = "none";
  while (std::getline(lines, line)) {
    std::istringstream f(line);
    std::string id, parent, dev, root, point, opts;
    f >> id >> parent >> dev >> root >> point >> opts;
    if (point != path) continue;
    auto dash = line.find(" - ");
    std::istringstream tail(line.substr(dash + 3));
    std::string type, source, super;
    tail >> type >> source >> super;
    found = type;
    found += ' ';
    found += opts;
    found += ' ';
    found += super;
  }
  return found;
}

bool has_word(const std::string& options, const std::string& word) {
  std::string padded = "," + options + ",";
  for (char& c : padded) c = c == ' ' ? ',' : c;
  return padded.find("," + word + ",") != std::string::npos;
}

std::string errno_of_write(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd >= 0) {
    close(fd);
    return "ok";
  }
  return strerrorname_np(errno);
}

std::string device_of(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return strerrorname_np(errno);
  char type = S_ISCHR(st.st_mode)   ? 'c'
              : S_ISBLK(st.st_mode) ? 'b'
              : S_ISLNK(st.st_mode) ? 'l'
                                    : '?';
  char text[64];
  (void)snprintf(text, sizeof(text), "%c %u:%u %o %u:%u", type, major(st.st_rdev),
                 minor(st.st_rdev), st.st_mode & 07777, st.st_uid, st.st_gid);
  return text;
}

// Runs `path` in a grandchild: "exit N" or the errno name execve failed with.
std::string exec_result(const std::string& path) {
  pid_t pid = fork();
  if (pid == 0) {
    char* argv[] = {const_cast<char*>("true"), nullptr};
    char* envp[] = {nullptr};
    execve(path.c_str(), argv, envp);
    _exit(200 + errno);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  int code = WEXITSTATUS(status);
  if (code >= 200) return strerrorname_np(code - 200);
  return "exit " + std::to_string(code);
}

class RootfsE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (real mounts in new namespaces)";
    if (!fs::exists("/bin/busybox")) GTEST_SKIP() << "needs busybox-static at /bin/busybox";
    char tmpl[] = "/tmp/husk-rootfs-e2e-XXXXXX";
    base_ = mkdtemp(tmpl);
    bundle_ = base_ / "bundle";
    rootfs_ = bundle_ / "rootfs";
    outside_ = base_ / "outside";
    fs::create_directories(rootfs_ / "bin");
    fs::create_directories(outside_);
    fs::copy_file("/bin/busybox", rootfs_ / "bin/busybox");
    for (const char* applet : {"sh", "cat", "ls", "mount", "true"}) {
      fs::create_symlink("busybox", rootfs_ / "bin" / applet);
    }
    write_file(rootfs_ / "marker", "the rootfs\n");
    write_file(outside_ / "secret", "host secret\n");
    config_.root.path = "rootfs";
    config_.linux_config.emplace();
    options_.bundle_dir = bundle_;
    host_mountinfo_ = read_file("/proc/self/mountinfo");
  }

  void TearDown() override {
    if (base_.empty()) return;
    EXPECT_EQ(read_file("/proc/self/mountinfo"), host_mountinfo_) << "a mount reached the host";
    EXPECT_EQ(read_file(outside_ / "secret"), "host secret\n");
    fs::remove_all(base_);
  }

  // Forks a child in new namespaces (`flags`, CLONE_NEWNS always), runs `before` (set-up that
  // the test needs in the child's mount namespace), setup_rootfs, then `probe`; returns the
  // report. "setup" holds setup_rootfs's error text or "ok". With `user_ns` the child is first
  // in a new user namespace mapping only root to root (and a new pid namespace, for /proc).
  Report run(int flags, const std::function<void(Report&)>& probe,
             const std::function<void()>& before = {}, bool user_ns = false) {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      Report report;
      bool entered = (!user_ns || enter_user_namespace()) && unshare(CLONE_NEWNS | flags) == 0;
      if (!entered) {
        report["unshare"] = strerrorname_np(errno);
      } else if (user_ns && fork_and_wait_in_child()) {
        _exit(0);
      } else {
        if (before) before();
        auto start = std::chrono::steady_clock::now();
        auto status = setup_rootfs(config_, options_);
        auto took = std::chrono::steady_clock::now() - start;
        report["setup"] = status.ok() ? "ok" : status.error().text();
        report["setup us"] =
            std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(took).count());
        if (status.ok()) probe(report);
      }
      std::string text;
      for (const auto& [k, v] : report) text += k + "=" + escape_newlines(v) + "\n";
      (void)!write(fds[1], text.data(), text.size());
      _exit(0);
    }
    close(fds[1]);
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof(buf))) > 0) text.append(buf, static_cast<size_t>(n));
    close(fds[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status)) << "the child died: " << status;
    Report report;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      auto eq = line.find('=');
      report[line.substr(0, eq)] = unescape_newlines(line.substr(eq + 1));
    }
    if (getenv("HUSK_E2E_VERBOSE")) std::cerr << text;
    return report;
  }

  static bool enter_user_namespace() {
    if (unshare(CLONE_NEWUSER | CLONE_NEWPID) != 0) return false;
    for (const auto& [file, text] :
         {std::pair{"/proc/self/setgroups", "deny"}, std::pair{"/proc/self/uid_map", "0 0 1"},
          std::pair{"/proc/self/gid_map", "0 0 1"}}) {
      int fd = open(file, O_WRONLY | O_CLOEXEC);
      if (fd < 0) return false;
      bool ok = write(fd, text, strlen(text)) == static_cast<ssize_t>(strlen(text));
      close(fd);
      if (!ok) return false;
    }
    return true;
  }

  // In the child: forks the process that will be PID 1 of the new pid namespace. Returns true
  // in the waiting parent, after the grandchild ended; false in the grandchild.
  static bool fork_and_wait_in_child() {
    pid_t pid = fork();
    if (pid != 0) {
      waitpid(pid, nullptr, 0);
      return true;
    }
    return false;
  }

  fs::path base_, bundle_, rootfs_, outside_;
  oci::Config config_;
  Options options_;
  std::string host_mountinfo_;
};

TEST_F(RootfsE2e, RuncSpecMountsDevicesPivotMaskedReadonly) {
  config_.mounts = runc_spec_mounts();
  config_.linux_config->masked_paths = {"/proc/keys", "/proc/acpi", "/proc/nonexistent"};
  config_.linux_config->readonly_paths = {"/proc/sys", "/proc/sysrq-trigger"};
  config_.root.readonly = true;
  options_.net_ns = options_.cgroup_ns = true;
  Report r = run(CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWIPC, [](Report& r) {
    r["marker"] = read_file("/marker");
    r["cwd"] = fs::current_path();
    for (const char* path :
         {"/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup",
          "/sys/fs/cgroup/memory", "/sys/fs/cgroup/unified", "/proc/sys", "/proc/acpi"}) {
      r[std::string("mount ") + path] = mount_at(path);
    }
    int lines = 0;
    std::istringstream all(read_file("/proc/self/mountinfo"));
    std::string line;
    while (std::getline(all, line)) {
      ++lines;
      if (line.find("/tmp/husk-rootfs-e2e") != std::string::npos &&
          line.find("/rootfs ") == std::string::npos) {
        r["host path visible"] = line;
      }
    }
    r["mount count"] = std::to_string(lines);
    for (const char* dev : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                            "/dev/tty", "/dev/ptmx", "/dev/fd", "/dev/stdin", "/dev/stderr"}) {
      r[std::string("dev ") + dev] = device_of(dev);
    }
    r["link /dev/ptmx"] = fs::read_symlink("/dev/ptmx");
    r["link /dev/fd"] = fs::read_symlink("/dev/fd");
    r["link /dev/stdout"] = fs::read_symlink("/dev/stdout");
    r["keys"] = device_of("/proc/keys");
    r["keys size"] = std::to_string(read_file("/proc/keys").size());
    r["acpi entries"] = std::to_string(std::distance(fs::directory_iterator("/proc/acpi"), {}));
    r["write /proc/sys"] = errno_of_write("/proc/sys/kernel/hostname");
    r["write /"] = errno_of_write("/newfile");
    r["write /dev/shm"] = errno_of_write("/dev/shm/x");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["marker"], "the rootfs\n");
  EXPECT_EQ(r["cwd"], "/");
  EXPECT_EQ(r["host path visible"], "");
  EXPECT_LT(std::stoi(r["mount count"]), 30);
  EXPECT_TRUE(has_word(r["mount /"], "ro")) << r["mount /"];
  EXPECT_TRUE(r["mount /proc"].starts_with("proc ")) << r["mount /proc"];
  EXPECT_TRUE(r["mount /dev"].starts_with("tmpfs ")) << r["mount /dev"];
  EXPECT_TRUE(has_word(r["mount /dev"], "nosuid"));
  EXPECT_TRUE(r["mount /dev/pts"].starts_with("devpts ")) << r["mount /dev/pts"];
  EXPECT_TRUE(has_word(r["mount /dev/pts"], "ptmxmode=666")) << r["mount /dev/pts"];
  EXPECT_TRUE(has_word(r["mount /dev/shm"], "noexec")) << r["mount /dev/shm"];
  EXPECT_TRUE(r["mount /dev/mqueue"].starts_with("mqueue ")) << r["mount /dev/mqueue"];
  EXPECT_TRUE(r["mount /sys"].starts_with("sysfs ")) << r["mount /sys"];
  EXPECT_TRUE(has_word(r["mount /sys"], "ro")) << r["mount /sys"];
  std::string cgroup_root = r["mount /sys/fs/cgroup"];
  if (read_file("/proc/self/cgroup").find(":memory:") != std::string::npos) {
    EXPECT_TRUE(cgroup_root.starts_with("tmpfs ")) << cgroup_root;  // v1 / hybrid host
    EXPECT_TRUE(r["mount /sys/fs/cgroup/memory"].starts_with("cgroup "))
        << r["mount /sys/fs/cgroup/memory"];
    EXPECT_TRUE(has_word(r["mount /sys/fs/cgroup/memory"], "ro"));
  } else {
    EXPECT_TRUE(cgroup_root.starts_with("cgroup2 ")) << cgroup_root;
  }
  EXPECT_TRUE(has_word(cgroup_root, "ro")) << cgroup_root;
  EXPECT_EQ(r["dev /dev/null"], "c 1:3 666 0:0");
  EXPECT_EQ(r["dev /dev/zero"], "c 1:5 666 0:0");
  EXPECT_EQ(r["dev /dev/full"], "c 1:7 666 0:0");
  EXPECT_EQ(r["dev /dev/random"], "c 1:8 666 0:0");
  EXPECT_EQ(r["dev /dev/urandom"], "c 1:9 666 0:0");
  EXPECT_EQ(r["dev /dev/tty"], "c 5:0 666 0:0");
  EXPECT_EQ(r["link /dev/ptmx"], "pts/ptmx");
  EXPECT_EQ(r["link /dev/fd"], "/proc/self/fd");
  EXPECT_EQ(r["link /dev/stdout"], "/proc/self/fd/1");
  EXPECT_EQ(r["keys"], "c 1:3 666 0:0");
  EXPECT_EQ(r["keys size"], "0");
  EXPECT_TRUE(r["mount /proc/acpi"].starts_with("tmpfs ro")) << r["mount /proc/acpi"];
  EXPECT_EQ(r["acpi entries"], "0");
  EXPECT_TRUE(has_word(r["mount /proc/sys"], "ro")) << r["mount /proc/sys"];
  EXPECT_EQ(r["write /proc/sys"], "EROFS");
  EXPECT_EQ(r["write /"], "EROFS");
  EXPECT_EQ(r["write /dev/shm"], "ok");
  EXPECT_FALSE(fs::exists(rootfs_ / "newfile"));
}

TEST_F(RootfsE2e, BindOptionsTakeEffect) {
  fs::path src = base_ / "data";
  fs::create_directories(src / "sub");
  fs::copy_file("/bin/busybox", src / "busybox");
  write_file(src / "file", "bound file\n");
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/ro", "bind", src, {"bind", "ro"}),
                    mount_of("/noexec", "none", src, {"rbind", "noexec", "nosuid", "nodev"}),
                    mount_of("/exec", "bind", src, {"bind"}),
                    mount_of("/rro", "bind", src, {"rbind", "rro", "rshared"}),
                    mount_of("/file", "bind", (src / "file").string(), {"bind", "ro"})};
  // A submount in the source, in the child's mount namespace only, to see rbind and rro.
  auto before = [&] {
    mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr);
    mount("tmpfs", (src / "sub").c_str(), "tmpfs", 0, nullptr);
  };
  Report r = run(
      0,
      [](Report& r) {
        r["write ro"] = errno_of_write("/ro/new");
        r["write exec"] = errno_of_write("/exec/new");
        r["exec noexec"] = exec_result("/noexec/busybox");
        r["exec exec"] = exec_result("/exec/busybox");
        r["mount noexec"] = mount_at("/noexec");
        r["mount noexec/sub"] = mount_at("/noexec/sub");
        r["mount ro/sub"] = mount_at("/ro/sub");
        r["write rro/sub"] = errno_of_write("/rro/sub/new");
        r["write noexec/sub"] = errno_of_write("/noexec/sub/new");
        r["file"] = read_file("/file");
        r["write file"] = errno_of_write("/file");
        std::istringstream all(read_file("/proc/self/mountinfo"));
        std::string line;
        while (std::getline(all, line)) {
          if (line.find(" /rro ") != std::string::npos) r["rro line"] = line;
        }
      },
      before);
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["write ro"], "EROFS");
  EXPECT_EQ(r["write exec"], "ok");
  EXPECT_EQ(r["exec noexec"], "EACCES");
  EXPECT_EQ(r["exec exec"], "exit 0");
  EXPECT_TRUE(has_word(r["mount noexec"], "nosuid")) << r["mount noexec"];
  EXPECT_TRUE(has_word(r["mount noexec"], "nodev")) << r["mount noexec"];
  EXPECT_TRUE(r["mount noexec/sub"].starts_with("tmpfs ")) << r["mount noexec/sub"];
  EXPECT_EQ(r["mount ro/sub"], "none");    // "bind" is not recursive
  EXPECT_EQ(r["write noexec/sub"], "ok");  // "noexec" is for the top mount only
  EXPECT_EQ(r["write rro/sub"], "EROFS");  // "rro" reaches the submount
  EXPECT_NE(r["rro line"].find(" shared:"), std::string::npos) << r["rro line"];
  EXPECT_EQ(r["file"], "bound file\n");
  EXPECT_EQ(r["write file"], "EROFS");
  EXPECT_TRUE(fs::exists(src / "new"));    // written through /exec
  EXPECT_TRUE(fs::is_empty(src / "sub"));  // the tmpfs stayed in the child
}

TEST_F(RootfsE2e, OverlayWithTwoLowerLayersAndAnUpper) {
  write_file(bundle_ / "layers/1/a", "lower 1\n");
  write_file(bundle_ / "layers/1/both", "from lower 1\n");
  write_file(bundle_ / "layers/2/b", "lower 2\n");
  write_file(bundle_ / "layers/2/both", "from lower 2\n");
  write_file(bundle_ / "upper/u", "upper\n");
  fs::create_directories(bundle_ / "work");
  config_.mounts = {mount_of("/merged", "overlay", "overlay",
                             {"lowerdir=layers/1:layers/2", "upperdir=upper", "workdir=work"})};
  Report r = run(0, [](Report& r) {
    r["a"] = read_file("/merged/a");
    r["b"] = read_file("/merged/b");
    r["both"] = read_file("/merged/both");
    r["u"] = read_file("/merged/u");
    r["write"] = errno_of_write("/merged/new");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["a"], "lower 1\n");
  EXPECT_EQ(r["b"], "lower 2\n");
  EXPECT_EQ(r["both"], "from lower 1\n");  // the first lowerdir is on top
  EXPECT_EQ(r["u"], "upper\n");
  EXPECT_EQ(r["write"], "ok");
  EXPECT_TRUE(fs::exists(bundle_ / "upper/new"));
  EXPECT_FALSE(fs::exists(bundle_ / "layers/1/new"));
}

TEST_F(RootfsE2e, IdmappedBind) {
  fs::path src = base_ / "owned";
  write_file(src / "by1000", "x");
  write_file(src / "byroot", "x");
  {
    // Not every filesystem can be idmapped (tmpfs only since 6.3, overlayfs since 6.x).
    auto userns = make_userns({{0, 1000, 1}}, {{0, 1000, 1}});
    ASSERT_TRUE(userns.ok()) << userns.error().text();
    auto tree = clone_tree(AT_FDCWD, src.string(), false);
    ASSERT_TRUE(tree.ok()) << tree.error().text();
    auto mapped = set_idmap(tree->get(), userns->get(), false);
    if (!mapped.ok() && mapped.error().errno_value() == EINVAL) {
      GTEST_SKIP() << "the filesystem of " << src << " cannot be idmapped on this kernel";
    }
    ASSERT_TRUE(mapped.ok()) << mapped.error().text();
  }
  ASSERT_EQ(chown((src / "by1000").c_str(), 1000, 1000), 0);
  oci::Mount m = mount_of("/mapped", "bind", src, {"bind", "idmap"});
  // Mount id 1000 is host id 0 and the other way round (uid_map lines "containerID hostID size").
  m.uid_mappings = {{1000, 0, 1}, {0, 1000, 1}};
  m.gid_mappings = {{1000, 0, 1}, {0, 1000, 1}};
  config_.mounts = {m, mount_of("/plain", "bind", src, {"bind"})};
  Report r = run(0, [](Report& r) {
    struct stat st {};
    r["by1000"] = stat("/mapped/by1000", &st) == 0
                      ? std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid)
                      : "missing";
    r["byroot"] = stat("/mapped/byroot", &st) == 0 ? std::to_string(st.st_uid) : "missing";
    r["plain"] = stat("/plain/by1000", &st) == 0 ? std::to_string(st.st_uid) : "missing";
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["by1000"], "0:0");
  EXPECT_EQ(r["byroot"], "1000");
  EXPECT_EQ(r["plain"], "1000");
}

TEST_F(RootfsE2e, LinuxDevices) {
  oci::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.file_mode = 0600;
  fuse.uid = 1;
  fuse.gid = 2;
  oci::Device loop;
  loop.type = "b";
  loop.path = "/dev/nested/loop9";
  loop.major = 7;
  loop.minor = 9;
  loop.file_mode = 0640;
  config_.linux_config->devices = {fuse, loop};
  config_.mounts = {mount_of("/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"})};
  Report r = run(0, [](Report& r) {
    r["fuse"] = device_of("/dev/fuse");
    r["loop"] = device_of("/dev/nested/loop9");
    r["null"] = device_of("/dev/null");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["fuse"], "c 10:229 600 1:2");
  EXPECT_EQ(r["loop"], "b 7:9 640 0:0");
  EXPECT_EQ(r["null"], "c 1:3 666 0:0");
}

// The image has /mnt -> /, an absolute link to a host directory and a "../../.." destination:
// every mount lands inside the rootfs.
TEST_F(RootfsE2e, SymlinkedDestinationsStayInTheRootfs) {
  std::string escape = "husk-escape-" + std::to_string(getpid());
  fs::create_directory_symlink("/", rootfs_ / "mnt");
  fs::create_directory_symlink(outside_, rootfs_ / "evil");
  fs::create_directories(base_ / "src");
  write_file(base_ / "src/payload", "payload\n");
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/mnt/" + escape, "bind", base_ / "src", {"bind"}),
                    mount_of("/evil/dir", "tmpfs", "tmpfs", {}),
                    mount_of("/evil/secret", "bind", base_ / "src/payload", {"bind"}),
                    mount_of("../../../" + escape + "-2", "tmpfs", "tmpfs", {})};
  Report r = run(0, [&](Report& r) {
    r["payload"] = read_file("/" + escape + "/payload");
    r["mount evil/dir"] = mount_at(outside_.string() + "/dir");
    r["evil secret"] = read_file(outside_.string() + "/secret");
    r["mount 2"] = mount_at("/" + escape + "-2");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["payload"], "payload\n");
  EXPECT_TRUE(r["mount evil/dir"].starts_with("tmpfs ")) << r["mount evil/dir"];
  EXPECT_EQ(r["evil secret"], "payload\n");  // the rootfs's own <outside>/secret, bound over
  EXPECT_TRUE(r["mount 2"].starts_with("tmpfs ")) << r["mount 2"];
  EXPECT_FALSE(fs::exists("/" + escape));
  EXPECT_FALSE(fs::exists("/" + escape + "-2"));
  EXPECT_FALSE(fs::exists(outside_ / "dir"));
  EXPECT_TRUE(fs::is_directory(rootfs_ / escape));
  EXPECT_TRUE(fs::is_directory(rootfs_ / (escape + "-2")));
  EXPECT_TRUE(fs::is_directory(rootfs_ / outside_.relative_path() / "dir"));
  // TearDown checks outside_/secret still reads "host secret".
}

// CVE-2025-31133: /dev/null in the image is a symlink to a host file; masking must not bind
// that file over the masked path. The node is replaced by the real null device.
TEST_F(RootfsE2e, SymlinkedDevNullIsReplacedBeforeMasking) {
  fs::create_directories(rootfs_ / "dev");
  fs::create_symlink(outside_ / "secret", rootfs_ / "dev/null");
  write_file(rootfs_ / "etc/masked", "container data\n");
  config_.linux_config->masked_paths = {"/etc/masked"};
  Report r = run(0, [](Report& r) {
    r["null"] = device_of("/dev/null");
    r["masked"] = device_of("/etc/masked");
    r["masked text"] = read_file("/etc/masked");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["null"], "c 1:3 666 0:0");
  EXPECT_EQ(r["masked"], "c 1:3 666 0:0");
  EXPECT_EQ(r["masked text"], "");
}

// The same with /dev bound from the bundle (no devices made): masking refuses a /dev/null that
// is not the null device.
TEST_F(RootfsE2e, MaskingRefusesAFakeDevNull) {
  write_file(bundle_ / "devdir/null", "not a device");
  write_file(rootfs_ / "etc/masked", "container data\n");
  config_.mounts = {mount_of("/dev", "bind", "devdir", {"rbind"})};
  config_.linux_config->masked_paths = {"/etc/masked"};
  Report r = run(0, [](Report&) {});
  EXPECT_EQ(r["setup"],
            "linux.maskedPaths /etc/masked: /dev/null in the container is not the null device");
  // A link to a host file resolves inside the rootfs, where there is no such file.
  fs::remove(bundle_ / "devdir/null");
  fs::create_symlink(outside_ / "secret", bundle_ / "devdir/null");
  r = run(0, [](Report&) {});
  EXPECT_EQ(r["setup"],
            "linux.maskedPaths /etc/masked: open /dev/null in the rootfs: No such "
            "file or directory");
}

TEST_F(RootfsE2e, NoPivot) {
  config_.mounts = {mount_of("/proc", "proc", "proc", {})};
  options_.no_pivot = true;
  Report r = run(0, [](Report& r) {
    r["marker"] = read_file("/marker");
    r["cwd"] = fs::current_path();
    r["root"] = fs::read_symlink("/proc/self/root");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["marker"], "the rootfs\n");
  EXPECT_EQ(r["cwd"], "/");
  EXPECT_EQ(r["root"], "/");
}

TEST_F(RootfsE2e, SysfsAndCgroupWithoutTheirNamespaces) {
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
                    mount_of("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "ro"})};
  std::string own_memory;
  std::istringstream lines(read_file("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":memory:") != std::string::npos) own_memory = line.substr(line.rfind(':') + 1);
  }
  Report r = run(0, [](Report& r) {
    r["mount /sys"] = mount_at("/sys");
    r["write /sys"] = errno_of_write("/sys/kernel/new");
    r["mount memory"] = mount_at("/sys/fs/cgroup/memory");
    r["procs"] = fs::exists("/sys/fs/cgroup/memory/cgroup.procs") ? "yes" : "no";
    r["write memory"] = errno_of_write("/sys/fs/cgroup/memory/tasks");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_TRUE(r["mount /sys"].starts_with("sysfs ")) << r["mount /sys"];  // the host's, bound
  EXPECT_TRUE(has_word(r["mount /sys"], "ro"));
  EXPECT_EQ(r["write /sys"], "EROFS");
  if (own_memory.empty()) return;  // a v2 host: the hybrid part below does not apply
  EXPECT_TRUE(r["mount memory"].starts_with("cgroup ")) << r["mount memory"];
  EXPECT_EQ(r["procs"], "yes");
  EXPECT_EQ(r["write memory"], "EROFS");
}

TEST_F(RootfsE2e, Errors) {
  config_.mounts = {mount_of("/data", "bind", "/nonexistent-husk-source", {"bind"})};
  EXPECT_EQ(run(0, [](Report&) {})["setup"],
            "mounts[0] /data: open_tree /nonexistent-husk-source: No such file or directory");

  write_file(rootfs_ / "proc", "a file where /proc should be");
  config_.mounts = {mount_of("/proc", "proc", "proc", {})};
  EXPECT_EQ(run(0, [](Report&) {})["setup"], "mounts[0] /proc: mount proc: Not a directory");

  fs::remove(rootfs_ / "proc");
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/proc/sys", "bind", base_, {"bind"})};
  EXPECT_EQ(run(0, [](Report&) {})["setup"],
            "mounts[1] /proc/sys: source " + base_.string() +
                " is not on procfs, and only procfs may be bound below /proc");

  config_.mounts = {mount_of("/t", "tmpfs", "tmpfs", {"nosuchoption=1"})};
  EXPECT_EQ(run(0, [](Report&) {})["setup"], "mounts[0] /t: mount tmpfs: Invalid argument");

  config_.mounts.clear();
  config_.root.path = "missing-rootfs";
  EXPECT_EQ(run(0, [](Report&) {})["setup"],
            "root.path " + (bundle_ / "missing-rootfs").string() + ": open_tree " +
                (bundle_ / "missing-rootfs").string() + ": No such file or directory");
}

// In a user namespace (mapped to root only, as rootless does), devices are the host's nodes
// bound onto files, and sysfs is bound.
TEST_F(RootfsE2e, UserNamespaceBindsDevices) {
  config_.mounts = runc_spec_mounts();
  config_.mounts.pop_back();  // no cgroup
  config_.mounts[2].options = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  options_.net_ns = true;
  // Told (as the runtime does for a new user namespace), and not told (a joined one): mknod
  // fails with EPERM and the host's nodes are bound all the same.
  for (bool told : {true, false}) {
    options_.user_ns = told;
    Report r = run(
        CLONE_NEWNET | CLONE_NEWIPC,
        [](Report& r) {
          r["null"] = device_of("/dev/null");
          r["mount null"] = mount_at("/dev/null");
          r["mount /sys"] = mount_at("/sys");
        },
        {}, /*user_ns=*/true);
    ASSERT_EQ(r["setup"], "ok") << "told: " << told;
    EXPECT_EQ(r["null"].substr(0, 6), "c 1:3 ");
    EXPECT_NE(r["mount null"], "none");
    EXPECT_TRUE(r["mount /sys"].starts_with("sysfs ")) << r["mount /sys"];
  }
}

// The image-layers case: root.path is an empty directory and the config mounts the layers as an
// overlay onto "/"; later mounts and pivot_root go into the overlay.
TEST_F(RootfsE2e, OverlayOntoTheRoot) {
  fs::create_directories(bundle_ / "layers");
  fs::rename(rootfs_, bundle_ / "layers/base");
  fs::create_directories(rootfs_);
  write_file(bundle_ / "layers/app/app.txt", "app layer\n");
  fs::create_directories(bundle_ / "upper");
  fs::create_directories(bundle_ / "work");
  config_.mounts = {mount_of("/", "overlay", "overlay",
                             {"lowerdir=layers/app:layers/base", "upperdir=upper", "workdir=work"}),
                    mount_of("/proc", "proc", "proc", {})};
  Report r = run(0, [](Report& r) {
    r["marker"] = read_file("/marker");
    r["app"] = read_file("/app.txt");
    r["mount /"] = mount_at("/");
    r["mount /proc"] = mount_at("/proc");
    r["write"] = errno_of_write("/written");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["marker"], "the rootfs\n");
  EXPECT_EQ(r["app"], "app layer\n");
  EXPECT_TRUE(r["mount /"].starts_with("overlay ")) << r["mount /"];
  EXPECT_TRUE(r["mount /proc"].starts_with("proc ")) << r["mount /proc"];
  EXPECT_EQ(r["write"], "ok");
  EXPECT_TRUE(fs::exists(bundle_ / "upper/written"));
  EXPECT_TRUE(fs::is_directory(bundle_ / "upper/proc"));
  EXPECT_TRUE(fs::is_empty(rootfs_));
}

TEST_F(RootfsE2e, SharedRootfsPropagation) {
  config_.mounts = {mount_of("/proc", "proc", "proc", {})};
  config_.linux_config->rootfs_propagation = "rshared";
  Report r = run(0, [](Report& r) {
    std::istringstream all(read_file("/proc/self/mountinfo"));
    for (std::string line; std::getline(all, line);) {
      if (line.find(" / / ") != std::string::npos || line.find("/rootfs / ") != std::string::npos) {
        r["root line"] = line;
      }
    }
    r["marker"] = read_file("/marker");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["marker"], "the rootfs\n");
  EXPECT_NE(r["root line"].find(" shared:"), std::string::npos) << r["root line"];
}

TEST_F(RootfsE2e, ConsoleIsTheTerminal) {
  config_.mounts = runc_spec_mounts();
  config_.mounts.pop_back();
  options_.net_ns = true;
  Report r = run(CLONE_NEWNET | CLONE_NEWIPC, [](Report& r) {
    int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
      r["pty"] = strerrorname_np(errno);
      return;
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
    auto status = bind_console(slave);
    r["bind"] = status.ok() ? "ok" : status.error().text();
    struct stat console {
    }, pty{};
    stat("/dev/console", &console);
    fstat(slave, &pty);
    r["same"] = console.st_rdev == pty.st_rdev && S_ISCHR(console.st_mode) ? "yes" : "no";
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_EQ(r["pty"], "");
  EXPECT_EQ(r["bind"], "ok");
  EXPECT_EQ(r["same"], "yes");
}

// Without a network namespace /sys is the host's, bound: "ro" holds for its submounts as well.
// What is mounted at /sys/fs/cgroup (a tmpfs with v1 hierarchies below it, or cgroup2) and the
// deepest file to try come from the host's own mount table.
TEST_F(RootfsE2e, BoundSysfsIsReadOnlyAllTheWayDown) {
  const std::string host_type = mount_at("/sys/fs/cgroup");
  std::string file = "/sys/fs/cgroup/cgroup.procs";
  {
    std::istringstream lines(read_file("/proc/self/mountinfo"));
    for (std::string line; std::getline(lines, line);) {
      std::istringstream f(line);
      std::string id, parent, dev, root, point;
      f >> id >> parent >> dev >> root >> point;
      if (point.starts_with("/sys/fs/cgroup/")) {
        file = point + "/cgroup.procs";
        break;
      }
    }
  }
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"})};
  Report r = run(0, [&file](Report& r) {
    r["mount cgroup"] = mount_at("/sys/fs/cgroup");
    r["open cgroup"] = errno_of_write(file);
  });
  ASSERT_EQ(r["setup"], "ok");
  const std::string type = host_type.substr(0, host_type.find(' '));
  EXPECT_TRUE(r["mount cgroup"].starts_with(type + " ro,")) << r["mount cgroup"];
  EXPECT_EQ(r["open cgroup"], "EROFS") << file;
}

TEST_F(RootfsE2e, RemountChangesAnEarlierMount) {
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/t", "tmpfs", "tmpfs", {"mode=755"}),
                    mount_of("/t", "tmpfs", "tmpfs", {"remount", "ro", "nosuid"})};
  Report r = run(0, [](Report& r) {
    r["mount"] = mount_at("/t");
    r["write"] = errno_of_write("/t/x");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_TRUE(r["mount"].starts_with("tmpfs ro,nosuid")) << r["mount"];
  EXPECT_EQ(r["write"], "EROFS");
}

// "remount" of something the config did not mount (here the rootfs, a bind of a host folder)
// changes the container's mount only: the host's filesystem stays writable.
TEST_F(RootfsE2e, RemountOfTheRootfsLeavesTheHostsFilesystemWritable) {
  fs::create_directories(rootfs_ / "dev");
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/dev", "tmpfs", "tmpfs", {"mode=755"}),
                    mount_of("/", "tmpfs", "tmpfs", {"remount", "ro"})};
  Report r = run(0, [](Report& r) {
    r["mount"] = mount_at("/");  // "type mount-options superblock-options"
    r["write"] = errno_of_write("/x");
  });
  ASSERT_EQ(r["setup"], "ok");
  std::istringstream words(r["mount"]);
  std::string type, mount_options, super_options;
  words >> type >> mount_options >> super_options;
  EXPECT_TRUE(mount_options.starts_with("ro,")) << r["mount"];
  EXPECT_TRUE(super_options.starts_with("rw")) << r["mount"];
  EXPECT_EQ(r["write"], "EROFS");
  write_file(rootfs_ / "after", "the host still writes\n");
  EXPECT_EQ(read_file(rootfs_ / "after"), "the host still writes\n");
}

// Without an IPC namespace of its own the container's mqueue has the host's superblock: its
// remount changes the container's mount only (TearDown compares the host's mount table,
// superblock options included).
TEST_F(RootfsE2e, RemountOfAFilesystemSharedWithTheHostChangesOnlyTheContainersMount) {
  fs::create_directories(rootfs_ / "dev");
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/dev", "tmpfs", "tmpfs", {"mode=755"}),
                    mount_of("/dev/mqueue", "mqueue", "mqueue", {"nosuid"}),
                    mount_of("/dev/mqueue", "mqueue", "mqueue", {"remount", "ro", "nosuid"})};
  Report r = run(0, [](Report& r) {
    r["mount"] = mount_at("/dev/mqueue");
    r["write"] = errno_of_write("/dev/mqueue/q");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_TRUE(r["mount"].starts_with("mqueue ro,nosuid")) << r["mount"];
  EXPECT_TRUE(r["mount"].ends_with(" rw")) << r["mount"];  // the superblock
  EXPECT_EQ(r["write"], "EROFS");
}

TEST_F(RootfsE2e, RemountWithFilesystemOptionsOfAHostMountIsRefused) {
  config_.mounts = {mount_of("/", "tmpfs", "tmpfs", {"remount", "ro", "size=1m"})};
  Report r = run(0, [](Report&) {});
  EXPECT_TRUE(r["setup"].starts_with("mounts[0] /: remount: only a filesystem")) << r["setup"];
}

TEST_F(RootfsE2e, TmpcopyupStartsWithWhatItCovers) {
  write_file(rootfs_ / "etc/app/conf", "setting=1\n");
  write_file(rootfs_ / "etc/app/sub/x", "x\n");
  fs::create_symlink("conf", rootfs_ / "etc/app/link");
  ASSERT_EQ(chown((rootfs_ / "etc/app/conf").c_str(), 1000, 1001), 0);
  ASSERT_EQ(chmod((rootfs_ / "etc/app/conf").c_str(), 0640), 0);
  config_.mounts = {mount_of("/proc", "proc", "proc", {}),
                    mount_of("/etc/app", "tmpfs", "tmpfs", {"tmpcopyup", "mode=755"}),
                    mount_of("/etc/ro", "tmpfs", "tmpfs", {"tmpcopyup", "ro"})};
  fs::create_directories(rootfs_ / "etc/ro");
  write_file(rootfs_ / "etc/ro/file", "read only\n");
  Report r = run(0, [](Report& r) {
    r["mount"] = mount_at("/etc/app");
    r["conf"] = read_file("/etc/app/conf");
    struct stat st {};
    stat("/etc/app/conf", &st);
    r["conf owner mode"] = std::to_string(st.st_uid) + ":" + std::to_string(st.st_gid) + " " +
                           std::to_string(st.st_mode & 07777);
    r["x"] = read_file("/etc/app/sub/x");
    r["link"] = fs::read_symlink("/etc/app/link");
    r["write"] = errno_of_write("/etc/app/new");
    r["ro file"] = read_file("/etc/ro/file");
    r["ro write"] = errno_of_write("/etc/ro/new");
  });
  ASSERT_EQ(r["setup"], "ok");
  EXPECT_TRUE(r["mount"].starts_with("tmpfs ")) << r["mount"];
  EXPECT_EQ(r["conf"], "setting=1\n");
  EXPECT_EQ(r["conf owner mode"], "1000:1001 " + std::to_string(0640));
  EXPECT_EQ(r["x"], "x\n");
  EXPECT_EQ(r["link"], "conf");
  EXPECT_EQ(r["write"], "ok");
  EXPECT_FALSE(fs::exists(rootfs_ / "etc/app/new"));  // written to the tmpfs, not the image
  EXPECT_EQ(r["ro file"], "read only\n");
  EXPECT_EQ(r["ro write"], "EROFS");
}

}  // namespace
}  // namespace husk::rootfs
