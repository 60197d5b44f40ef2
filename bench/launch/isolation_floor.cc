// isolation_floor [--timing] [--init HUSK] ROOTFS NAME: the kernel's part of a `runc spec`
// container start, with no runtime around it. It makes the same isolation launch makes for that
// config, in the fewest system calls, and checks, parses and records nothing: a cgroup NAME below
// the caller's own in every hierarchy (devices denied but the spec's defaults, cpuset copied from
// the parent), the five namespaces, the config's mounts with the container's cgroup bound
// read-only at /sys/fs/cgroup, the default device nodes and links, pivot_root, a read-only root,
// the masked and read-only paths, the three capabilities, no_new_privs and the file limit; then
// /bin/true, and the cgroup removed once it has exited.
//
// The benchmark times it beside `unshare ... chroot` (namespaces only) and launch: what the
// isolation itself costs the kernel, which no runtime can go below. Device rules are v1 files
// only: on a cgroup v2 host it writes no eBPF program, so there it is lower still.
//
// --init HUSK: husk as PID 1, as launch runs it: a sealed memfd copy of HUSK made before the
// cgroup, exec'd from that copy as `husk -p SIGKILL -- /bin/true`. The least any runtime that
// gives this isolation and runs husk as PID 1 can take.
//
// --timing: one line on stderr when it ends, in the form launch --debug writes its phases:
//   timing: {"cgroup_us":..,"clone_us":..,"mounts_us":..,"finalize_us":..,"run_us":..,
//            "delete_us":..,"total_us":..}
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "init_binary.h"
#include "unique_fd.h"

namespace {

using husk::UniqueFd;

// --timing: CLOCK_MONOTONIC stamps, on a page shared with the child.
enum Stamp { kStart, kCgroupMade, kChildRuns, kMounted, kExecuting, kExited, kRemoved, kStamps };
int64_t* stamps = nullptr;

void stamp(Stamp which) {
  if (stamps == nullptr) return;
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  stamps[which] = int64_t{now.tv_sec} * 1000000000 + now.tv_nsec;
}

void print_timing() {
  auto us = [](Stamp from, Stamp to) { return (stamps[to] - stamps[from]) / 1000; };
  std::fprintf(stderr,
               "timing: {\"cgroup_us\":%lld,\"clone_us\":%lld,\"mounts_us\":%lld,"
               "\"finalize_us\":%lld,\"run_us\":%lld,\"delete_us\":%lld,\"total_us\":%lld}\n",
               static_cast<long long>(us(kStart, kCgroupMade)),
               static_cast<long long>(us(kCgroupMade, kChildRuns)),
               static_cast<long long>(us(kChildRuns, kMounted)),
               static_cast<long long>(us(kMounted, kExecuting)),
               static_cast<long long>(us(kExecuting, kExited)),
               static_cast<long long>(us(kExited, kRemoved)),
               static_cast<long long>(us(kStart, kRemoved)));
}

struct Hierarchy {
  std::string mount_dir;  // below /sys/fs/cgroup: "cpu", "systemd", "unified", or "" (pure v2)
  std::string cgroup;     // the container's directory
  bool v2 = false;
  bool made = false;
  UniqueFd tasks;  // its tasks (v1) or cgroup.procs (v2), written by the child
};

// One line on stderr: what failed and errno's text. Returns false, for the steps that report.
bool complain(const std::string& what) {
  std::fprintf(stderr, "isolation_floor: %s: %s\n", what.c_str(), std::strerror(errno));
  return false;
}

[[noreturn]] void die(const char* what) {
  complain(what);
  std::_Exit(1);
}

bool write_file(const std::string& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  return fd && ::write(fd.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size());
}

std::string read_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  std::string text(4096, '\0');
  ssize_t n = fd ? ::read(fd.get(), text.data(), text.size()) : -1;
  text.resize(n > 0 ? static_cast<size_t>(n) : 0);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

// The caller's hierarchies, from /proc/self/cgroup, with NAME below its cgroup in each.
std::vector<Hierarchy> plan_cgroups(const std::string& name) {
  std::vector<Hierarchy> out;
  std::string text = read_file("/proc/self/cgroup");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    size_t first = line.find(':');
    size_t second = line.find(':', first + 1);
    if (first == std::string_view::npos || second == std::string_view::npos) continue;
    std::string_view controllers = line.substr(first + 1, second - first - 1);
    std::string own(line.substr(second + 1));
    if (controllers.rfind("name=", 0) == 0) controllers.remove_prefix(5);
    Hierarchy h;
    h.v2 = controllers.empty();
    std::array<std::string, 2> candidates = {std::string(controllers), ""};
    if (h.v2) candidates[0] = "unified";
    for (const std::string& dir : candidates) {
      struct statfs fs {};
      std::string mount = "/sys/fs/cgroup" + (dir.empty() ? "" : "/" + dir);
      if (::statfs(mount.c_str(), &fs) != 0) continue;
      if (fs.f_type != (h.v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC)) continue;
      h.mount_dir = dir;
      h.cgroup = mount + (own == "/" ? "" : own) + "/" + name;
      out.push_back(std::move(h));
      break;
    }
  }
  return out;
}

// False, with a line on stderr, when a step fails; remove_cgroups() takes back what was made.
bool create_cgroups(std::vector<Hierarchy>& hierarchies) {
  for (Hierarchy& h : hierarchies) {
    if (::mkdir(h.cgroup.c_str(), 0755) != 0) return complain(h.cgroup);
    h.made = true;
    std::string parent = h.cgroup.substr(0, h.cgroup.rfind('/'));
    if (h.mount_dir.find("cpuset") != std::string::npos) {
      for (const char* file : {"/cpuset.cpus", "/cpuset.mems"}) {
        if (!write_file(h.cgroup + file, read_file(parent + file)))
          return complain(h.cgroup + file);
      }
    }
    if (h.mount_dir.find("devices") != std::string::npos) {
      if (!write_file(h.cgroup + "/devices.deny", "a")) return complain("devices.deny");
      UniqueFd allow(::open((h.cgroup + "/devices.allow").c_str(), O_WRONLY | O_CLOEXEC));
      for (std::string_view rule :
           {"c *:* m", "b *:* m", "c 1:3 rwm", "c 1:8 rwm", "c 1:7 rwm", "c 5:0 rwm", "c 1:5 rwm",
            "c 1:9 rwm", "c 136:* rwm", "c 5:2 rwm"}) {
        if (::write(allow.get(), rule.data(), rule.size()) < 0) return complain("devices.allow");
      }
    }
    std::string tasks = h.cgroup + (h.v2 ? "/cgroup.procs" : "/tasks");
    h.tasks.reset(::open(tasks.c_str(), O_WRONLY | O_CLOEXEC));
    if (!h.tasks) return complain(tasks);
  }
  return true;
}

void remove_cgroups(const std::vector<Hierarchy>& hierarchies) {
  for (const Hierarchy& h : hierarchies) {
    if (!h.made) continue;
    for (int tries = 0; ::rmdir(h.cgroup.c_str()) != 0 && errno == EBUSY && tries < 1000; ++tries)
      ::usleep(100);
  }
}

void must(int result, const char* what) {
  if (result != 0) die(what);
}

// A read-only path the kernel lacks is left out, as runtimes do.
void bind_read_only(const char* source, const char* target, unsigned long flags) {
  if (::mount(source, target, nullptr, MS_BIND | MS_REC, nullptr) != 0) {
    if (errno == ENOENT) return;
    die(target);
  }
  must(::mount(nullptr, target, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | flags, nullptr),
       target);
}

// In the new namespaces: the rootfs, then /bin/true, through husk when `init` is open (-1: not).
[[noreturn]] void container(const char* rootfs, const std::vector<Hierarchy>& hierarchies,
                            int init) {
  stamp(kChildRuns);
  for (const Hierarchy& h : hierarchies) {
    if (::write(h.tasks.get(), "0", 1) != 1) die("joining the cgroup");
  }
  must(::sethostname("runc", 4), "sethostname");
  must(::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr), "/");
  must(::mount(rootfs, rootfs, nullptr, MS_BIND | MS_REC, nullptr), rootfs);
  must(::chdir(rootfs), rootfs);
  const unsigned long kSafe = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  must(::mount("proc", "proc", "proc", 0, nullptr), "proc");
  must(::mount("tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"), "dev");
  for (const char* dir : {"dev/pts", "dev/shm", "dev/mqueue"}) (void)::mkdir(dir, 0755);
  must(::mount("devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
               "newinstance,ptmxmode=0666,mode=0620,gid=5"),
       "dev/pts");
  must(::mount("shm", "dev/shm", "tmpfs", kSafe, "mode=1777,size=65536k"), "dev/shm");
  must(::mount("mqueue", "dev/mqueue", "mqueue", kSafe, nullptr), "dev/mqueue");
  must(::mount("sysfs", "sys", "sysfs", kSafe | MS_RDONLY, nullptr), "sys");
  must(::mount("tmpfs", "sys/fs/cgroup", "tmpfs", kSafe, "mode=755"), "sys/fs/cgroup");
  for (const Hierarchy& h : hierarchies) {
    std::string target = "sys/fs/cgroup/" + h.mount_dir;
    (void)::mkdir(target.c_str(), 0755);
    bind_read_only(h.cgroup.c_str(), target.c_str(), kSafe);
  }
  must(::mount(nullptr, "sys/fs/cgroup", nullptr, MS_REMOUNT | MS_RDONLY | kSafe, "mode=755"),
       "sys/fs/cgroup");
  struct Node {
    const char* path;
    unsigned major, minor;
  };
  for (Node n : {Node{"dev/null", 1, 3}, Node{"dev/zero", 1, 5}, Node{"dev/full", 1, 7},
                 Node{"dev/random", 1, 8}, Node{"dev/urandom", 1, 9}, Node{"dev/tty", 5, 0}}) {
    must(::mknod(n.path, S_IFCHR | 0666, makedev(n.major, n.minor)), n.path);
  }
  for (auto [target, link] :
       {std::pair{"/proc/self/fd", "dev/fd"}, std::pair{"/proc/self/fd/0", "dev/stdin"},
        std::pair{"/proc/self/fd/1", "dev/stdout"}, std::pair{"/proc/self/fd/2", "dev/stderr"},
        std::pair{"pts/ptmx", "dev/ptmx"}}) {
    must(::symlink(target, link), link);
  }
  stamp(kMounted);
  must(static_cast<int>(::syscall(SYS_pivot_root, ".", ".")), "pivot_root");
  must(::umount2(".", MNT_DETACH), "old root");
  must(::chdir("/"), "/");
  must(::mount(nullptr, "/", nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY, nullptr), "read-only /");
  for (const char* path :
       {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}) {
    bind_read_only(path, path, 0);
  }
  for (const char* path : {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                           "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                           "/proc/sched_debug", "/sys/firmware", "/proc/scsi"}) {
    struct stat st {};
    if (::stat(path, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      must(::mount("tmpfs", path, "tmpfs", MS_RDONLY, nullptr), path);
    } else {
      must(::mount("/dev/null", path, nullptr, MS_BIND, nullptr), path);
    }
  }
  const uint64_t kept = (uint64_t{1} << CAP_AUDIT_WRITE) | (uint64_t{1} << CAP_KILL) |
                        (uint64_t{1} << CAP_NET_BIND_SERVICE);
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (!(kept & (uint64_t{1} << cap))) (void)::prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  }
  struct rlimit files {
    1024, 1024
  };
  must(::setrlimit(RLIMIT_NOFILE, &files), "RLIMIT_NOFILE");
  must(::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs");
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  std::array<__user_cap_data_struct, 2> data{};
  data[0].effective = data[0].permitted = static_cast<uint32_t>(kept);
  must(static_cast<int>(::syscall(SYS_capset, &header, data.data())), "capset");
  char* const envp[] = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};
  stamp(kExecuting);
  if (init >= 0) {
    char* const argv[] = {const_cast<char*>("husk"),      const_cast<char*>("-p"),
                          const_cast<char*>("SIGKILL"),   const_cast<char*>("--"),
                          const_cast<char*>("/bin/true"), nullptr};
    ::syscall(SYS_execveat, init, "", argv, envp, AT_EMPTY_PATH);
    die("husk");
  }
  char* const argv[] = {const_cast<char*>("/bin/true"), nullptr};
  ::execve(argv[0], argv, envp);
  die("/bin/true");
}

}  // namespace

int main(int argc, char** argv) {
  const bool timing = argc > 1 && std::string_view(argv[1]) == "--timing";
  if (timing) {
    --argc;
    ++argv;
  }
  const char* init_path = nullptr;
  if (argc > 2 && std::string_view(argv[1]) == "--init") {
    init_path = argv[2];
    argc -= 2;
    argv += 2;
  }
  if (argc != 3) {
    std::fprintf(stderr, "usage: isolation_floor [--timing] [--init HUSK] ROOTFS NAME\n");
    return 2;
  }
  if (timing) {
    void* page = ::mmap(nullptr, sizeof(int64_t) * kStamps, PROT_READ | PROT_WRITE,
                        MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (page == MAP_FAILED) die("mmap");
    stamps = static_cast<int64_t*>(page);
  }
  stamp(kStart);
  UniqueFd init;
  if (init_path != nullptr) {
    auto copy = husk::launch::sealed_copy(init_path);  // as launch makes it
    if (!copy.ok()) {
      std::fprintf(stderr, "isolation_floor: %s\n", copy.error().text().c_str());
      return 1;
    }
    init = std::move(*copy);
  }
  std::vector<Hierarchy> hierarchies = plan_cgroups(argv[2]);
  int status = 1 << 8;
  if (create_cgroups(hierarchies)) {
    stamp(kCgroupMade);
    clone_args args{};
    args.flags = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET;
    args.exit_signal = SIGCHLD;
    long pid = ::syscall(SYS_clone3, &args, sizeof args);
    if (pid == 0) container(argv[1], hierarchies, init ? init.get() : -1);
    if (pid < 0 || ::waitpid(static_cast<pid_t>(pid), &status, 0) < 0) status = 1 << 8;
    stamp(kExited);
  }
  for (Hierarchy& h : hierarchies) h.tasks.reset();
  remove_cgroups(hierarchies);
  stamp(kRemoved);
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (timing && ok) print_timing();
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
