#include "bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace husk::e2e {
namespace fs = std::filesystem;
namespace {

constexpr const char* kBaseConfig = R"({
  "ociVersion": "1.2.0",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": ["sh"],
    "env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"],
    "cwd": "/",
    "capabilities": {
      "bounding": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "effective": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"],
      "permitted": ["CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"]
    },
    "rlimits": [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}],
    "noNewPrivileges": true
  },
  "root": {"path": "rootfs", "readonly": true},
  "hostname": "husk",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/dev/pts", "type": "devpts", "source": "devpts",
     "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]},
    {"destination": "/dev/shm", "type": "tmpfs", "source": "shm",
     "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {"destination": "/dev/mqueue", "type": "mqueue", "source": "mqueue",
     "options": ["nosuid", "noexec", "nodev"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "relatime", "ro"]},
    {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]}
  ],
  "linux": {
    "resources": {"devices": [{"allow": false, "access": "rwm"}]},
    "namespaces": [{"type": "pid"}, {"type": "network"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "mount"}],
    "maskedPaths": ["/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                    "/proc/sched_debug", "/sys/firmware", "/proc/scsi"],
    "readonlyPaths": ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]
  }
})";

std::string random_suffix() {
  std::random_device device;
  std::mt19937_64 gen(device() ^ static_cast<uint64_t>(::getpid()) ^
                      static_cast<uint64_t>(::time(nullptr)));
  const char* chars = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string out;
  for (int i = 0; i < 10; ++i) out += chars[gen() % 36];
  return out;
}

void make_rootfs(const std::string& rootfs) {
  for (const char* dir : {"bin", "proc", "sys", "dev", "tmp", "etc", "root", "mnt", "home"})
    fs::create_directories(rootfs + "/" + dir);
  fs::copy_file("/bin/busybox", rootfs + "/bin/busybox");
  // Applet links: every name `busybox --list` gives.
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::execl("/bin/busybox", "busybox", "--list", nullptr);
    ::_exit(127);
  }
  ::close(fds[1]);
  std::string names;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) names.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  ::waitpid(pid, nullptr, 0);
  std::istringstream lines(names);
  std::string name;
  while (std::getline(lines, name)) {
    if (name.empty() || name == "busybox") continue;
    ::symlink("busybox", (rootfs + "/bin/" + name).c_str());
  }
  std::ofstream(rootfs + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n";
  std::ofstream(rootfs + "/etc/group") << "root:x:0:\n";
}

// launch's stdin and stdout: /dev/null and a pipe, or the terminal `tty` when given.
Running spawn(const std::vector<std::string>& args, int fd3, int tty = -1) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe");
  std::vector<char*> argv;
  for (const std::string& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = tty >= 0 ? tty : ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(tty >= 0 ? tty : out[1], 1);
    ::dup2(err[1], 2);
    if (fd3 >= 0 && fd3 != 3) ::dup2(fd3, 3);  // dup2 clears close-on-exec
    if (fd3 == 3) ::fcntl(3, F_SETFD, 0);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  return Running(pid, out[0], err[0]);
}

}  // namespace

int64_t now_ms() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int receive_fd(int socket, std::string& data) {
  std::string buffer(65536, '\0');
  iovec iov{buffer.data(), buffer.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n = ::recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  if (n <= 0 || cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS) return -1;
  data.assign(buffer.data(), static_cast<size_t>(n));
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof fd);
  return fd;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

Running::Running(Running&& other) noexcept
    : pid_(other.pid_),
      out_fd_(other.out_fd_),
      err_fd_(other.err_fd_),
      out_(std::move(other.out_)),
      err_(std::move(other.err_)) {
  other.pid_ = -1;
  other.out_fd_ = other.err_fd_ = -1;
}

Running::~Running() {
  if (pid_ > 0) {  // a test that failed half-way: let launch clean up, then insist
    ::kill(pid_, SIGTERM);
    int64_t deadline = now_ms() + 3000;
    while (::waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (now_ms() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        break;
      }
      ::usleep(5000);
    }
  }
  if (out_fd_ >= 0) ::close(out_fd_);
  if (err_fd_ >= 0) ::close(err_fd_);
}

void Running::drain(int timeout_ms) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (::poll(fds, 2, timeout_ms) <= 0) return;
  char buf[4096];
  for (int i = 0; i < 2; ++i) {
    if (!(fds[i].revents & (POLLIN | POLLHUP))) continue;
    ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
    if (n > 0) {
      (i == 0 ? out_ : err_).append(buf, static_cast<size_t>(n));
    } else {
      ::close(fds[i].fd);
      (i == 0 ? out_fd_ : err_fd_) = -1;
    }
  }
}

bool Running::wait_for_output(const std::string& text, int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  while (out_.find(text) == std::string::npos) {
    int64_t left = deadline - now_ms();
    if (left <= 0 || (out_fd_ < 0 && err_fd_ < 0)) return false;
    drain(static_cast<int>(left));
  }
  return true;
}

void Running::signal(int sig) const { ::kill(pid_, sig); }

RunResult Running::wait(int timeout_ms) {
  int64_t deadline = now_ms() + timeout_ms;
  RunResult result;
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    int64_t left = deadline - now_ms();
    if (left <= 0) break;
    drain(static_cast<int>(left));
  }
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(pid_, &status, WNOHANG)) == 0 && now_ms() < deadline) ::usleep(2000);
  if (done == pid_) {
    result.exit_code = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
  } else {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  pid_ = -1;
  result.out = out_;
  result.err = err_;
  return result;
}

std::string Bundle::launch_path() {
  const char* path = std::getenv("LAUNCH_PATH");
  return path ? path : "launch";
}

std::string Bundle::husk_path() {
  const char* path = std::getenv("HUSK_PATH");
  return path ? path : "";
}

Bundle::Bundle() {
  char tmpl[] = "/tmp/husk-e2e-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
  dir_ = tmpl;
  ::chmod(tmpl, 0755);  // a user namespace's root (an unprivileged host uid) must reach rootfs/
  std::string suffix = random_suffix();
  cgroup_name_ = "husk-e2e-" + suffix;
  marker_ = "HUSK_E2E_MARK=" + suffix;
  make_rootfs(rootfs());
  config_ = nlohmann::json::parse(kBaseConfig);
  config_["linux"]["cgroupsPath"] = cgroup_name_;
  config_["process"]["env"].push_back(marker_);
}

Bundle::~Bundle() {
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

void Bundle::shell(const std::string& script) { config_["process"]["args"] = {"sh", "-c", script}; }

void Bundle::set_namespace(const std::string& type, const std::string& path) {
  remove_namespace(type);
  nlohmann::json entry = {{"type", type}};
  if (!path.empty()) entry["path"] = path;
  config_["linux"]["namespaces"].push_back(entry);
}

void Bundle::remove_namespace(const std::string& type) {
  auto& list = config_["linux"]["namespaces"];
  for (auto it = list.begin(); it != list.end();) {
    it = (*it)["type"] == type ? list.erase(it) : it + 1;
  }
}

void Bundle::write_config() const { std::ofstream(dir_ + "/config.json") << config_.dump(2); }

RunResult Bundle::run_launch(const std::vector<std::string>& args, int timeout_ms) {
  return start_launch(args).wait(timeout_ms);
}

Running Bundle::start_launch(const std::vector<std::string>& args, int fd3) {
  std::vector<std::string> argv{launch_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  return spawn(argv, fd3);
}

RunResult Bundle::run(const std::vector<std::string>& args, int timeout_ms, int fd3) {
  return start(args, fd3).wait(timeout_ms);
}

Running Bundle::start(const std::vector<std::string>& args, int fd3) {
  return spawn(launch_argv(args), fd3);
}

Running Bundle::start_on_terminal(int tty, const std::vector<std::string>& args) {
  return spawn(launch_argv(args), -1, tty);
}

std::vector<std::string> Bundle::launch_argv(const std::vector<std::string>& args) const {
  write_config();
  std::vector<std::string> argv{launch_path(), "--root", state_root()};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(dir_);
  return argv;
}

std::string Bundle::leftovers() const {
  std::string found;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(
           "/sys/fs/cgroup", fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->is_directory(ec) && it->path().filename() == cgroup_name_)
      found += "cgroup " + it->path().string() + "; ";
  }
  std::istringstream mounts(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(mounts, line);) {
    if (line.find(dir_) != std::string::npos) found += "mount " + line + "; ";
  }
  // Anything but launch's compiled seccomp filters (a cache, not a container's state).
  for (const auto& entry : fs::directory_iterator(state_root(), ec)) {
    if (entry.path().filename() != "@seccomp") found += "state " + entry.path().string() + "; ";
  }
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string environ = read_text(entry.path().string() + "/environ");
    for (char& c : environ) c = c == '\0' ? '\n' : c;
    if (environ.find(marker_ + "\n") != std::string::npos) found += "process " + name + "; ";
  }
  return found;
}

}  // namespace husk::e2e
