#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

namespace husk::test {
namespace {

std::string env_or_fail(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << name << " is not set (run through meson test)";
    return "/nonexistent";
  }
  return value;
}

struct ChildPlan {
  Mode mode;
  const SpawnSpec* spec;
  char* const* argv;
  char* const* envp;
  int stdin_fd;
  int out_fd;
  int err_fd;
};

[[noreturn]] void fail_child(const char* what) {
  char line[160];
  int n = snprintf(line, sizeof line, "harness: %s: %s\n", what, strerror(errno));
  if (write(2, line, n) < 0) {
  }
  _exit(250);
}

int run_child(void* arg) {
  const ChildPlan& plan = *static_cast<const ChildPlan*>(arg);
  if (plan.mode == Mode::kPid1) {
    // A private /proc for the new pid namespace, as `unshare --mount-proc` does.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail_child("mount /");
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
      fail_child("mount /proc");
    }
  }
  if (dup2(plan.stdin_fd, 0) < 0 || dup2(plan.out_fd, 1) < 0 || dup2(plan.err_fd, 2) < 0) {
    fail_child("dup2");
  }
  syscall(SYS_close_range, 3U, ~0U, 0U);
  // A clean signal state unless the test asks for another.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  if (plan.spec->before_exec) plan.spec->before_exec();
  execvpe(plan.argv[0], plan.argv, plan.envp);
  fail_child("execve husk");
}

}  // namespace

std::string mode_name(Mode mode) { return mode == Mode::kPid1 ? "Pid1" : "Subreaper"; }

std::string husk_bin() { return env_or_fail("HUSK_BIN"); }
std::string probe_bin() { return env_or_fail("HUSK_PROBE"); }

long long now_ms() { return monotonic_ms(); }

FullPipe full_pipe() {
  FullPipe pipe;
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return pipe;
  }
  pipe.read_end.reset(fds[0]);
  pipe.write_end.reset(fds[1]);
  std::string path = "/proc/self/fd/" + std::to_string(fds[1]);
  UniqueFd filler(open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC));
  if (!filler) {
    ADD_FAILURE() << path << ": " << strerror(errno);
    return FullPipe{};
  }
  std::string block(4096, 'f');
  while (write(filler.get(), block.data(), block.size()) > 0) {
  }
  return pipe;
}

void become_subreaper() { prctl(PR_SET_CHILD_SUBREAPER, 1); }

Husk Husk::start(Mode mode, SpawnSpec spec) {
  become_subreaper();
  Husk husk;
  std::vector<std::string> args = spec.wrapper;
  args.push_back(husk_bin());
  args.insert(args.end(), spec.args.begin(), spec.args.end());
  std::vector<std::string> env = spec.env;
  env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  env.push_back("HUSK_PROBE=" + probe_bin());
  std::vector<char*> argv, envp;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);

  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    ADD_FAILURE() << "pipe: " << strerror(errno);
    return husk;
  }
  UniqueFd out_read(out[0]), out_write(out[1]), err_read(err[0]), err_write(err[1]);
  UniqueFd dev_null(open("/dev/null", O_RDONLY | O_CLOEXEC));

  ChildPlan plan{mode,
                 &spec,
                 argv.data(),
                 envp.data(),
                 spec.stdin_fd >= 0 ? spec.stdin_fd : dev_null.get(),
                 spec.stdout_fd >= 0   ? spec.stdout_fd
                 : spec.output_fd >= 0 ? spec.output_fd
                                       : out_write.get(),
                 spec.stderr_fd >= 0   ? spec.stderr_fd
                 : spec.output_fd >= 0 ? spec.output_fd
                                       : err_write.get()};
  if (mode == Mode::kPid1) {
    constexpr std::size_t kStack = 256 * 1024;
    std::vector<char> stack(kStack);
    husk.pid_ =
        clone(run_child, stack.data() + kStack, CLONE_NEWPID | CLONE_NEWNS | SIGCHLD, &plan);
  } else {
    husk.pid_ = fork();
    if (husk.pid_ == 0) run_child(&plan);
  }
  if (husk.pid_ < 0) {
    ADD_FAILURE() << "starting husk: " << strerror(errno);
    return husk;
  }
  husk.out_fd_ = std::move(out_read);
  husk.err_fd_ = std::move(err_read);
  return husk;
}

Husk::~Husk() {
  if (pid_ > 0) wait(10000);
}

void Husk::read_available(int timeout_ms) {
  pollfd fds[2] = {{out_fd_.get(), POLLIN, 0}, {err_fd_.get(), POLLIN, 0}};
  if (poll(fds, 2, timeout_ms) <= 0) return;
  char buffer[65536];
  UniqueFd* owners[2] = {&out_fd_, &err_fd_};
  std::string* texts[2] = {&out_, &err_};
  for (int i = 0; i < 2; ++i) {
    if (fds[i].revents == 0) continue;
    ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
    if (n > 0) {
      texts[i]->append(buffer, n);
    } else {
      owners[i]->reset();  // EOF: poll ignores negative fds
    }
  }
}

bool Husk::wait_for_output(const std::string& needle, int timeout_ms) {
  return wait_for(out_, needle, timeout_ms);
}

bool Husk::wait_for_error(const std::string& needle, int timeout_ms) {
  return wait_for(err_, needle, timeout_ms);
}

bool Husk::wait_for(const std::string& text, const std::string& needle, int timeout_ms) {
  const long long deadline = now_ms() + timeout_ms;
  while (text.find(needle) == std::string::npos) {
    long long left = deadline - now_ms();
    if (left <= 0 || (!out_fd_ && !err_fd_)) return false;
    read_available(static_cast<int>(left < 50 ? left : 50));
  }
  return true;
}

void Husk::read_for(int ms) {
  const long long deadline = now_ms() + ms;
  for (long long left = ms; left > 0 && (out_fd_ || err_fd_); left = deadline - now_ms()) {
    read_available(static_cast<int>(left));
  }
}

int Husk::wait(int timeout_ms) {
  if (pid_ <= 0) return -1;
  const long long deadline = now_ms() + timeout_ms;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (now_ms() >= deadline) {
      ADD_FAILURE() << "husk (pid " << pid_ << ") did not exit within " << timeout_ms
                    << " ms; killing it";
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      pid_ = -1;
      return -1;
    }
    read_available(10);
  }
  pid_ = -1;
  // Drain what is left; stop at EOF or when orphans still hold the pipes.
  const long long drain_deadline = now_ms() + 200;
  while ((out_fd_ || err_fd_) && now_ms() < drain_deadline) read_available(20);
  return status;
}

void Husk::signal(int sig) const {
  if (pid_ > 0) kill(pid_, sig);
}

std::vector<std::string> Husk::lines_starting(const std::string& prefix) const {
  std::vector<std::string> lines;
  std::istringstream in(out_);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  }
  return lines;
}

TempDir::TempDir() {
  char path[] = "/tmp/husk-e2e-XXXXXX";
  path_ = mkdtemp(path);
}

TempDir::~TempDir() {
  std::string command = "rm -rf '" + path_ + "'";
  if (std::system(command.c_str()) != 0) {
  }
}

std::vector<pid_t> collect_escaped_children() {
  std::vector<pid_t> escaped = children_of(getpid());
  for (pid_t pid : escaped) kill(pid, SIGKILL);
  for (pid_t pid : escaped) waitpid(pid, nullptr, 0);
  return escaped;
}

std::vector<pid_t> children_of(pid_t pid) {
  std::vector<pid_t> children;
  std::string task_dir = "/proc/" + std::to_string(pid) + "/task";
  DIR* dir = opendir(task_dir.c_str());
  if (dir == nullptr) return children;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::ifstream in(task_dir + "/" + entry->d_name + "/children");
    for (pid_t child; in >> child;) children.push_back(child);
  }
  closedir(dir);
  return children;
}

char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return '\0';
  return stat[close + 2];
}

std::string status_field(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) == 0) {
      std::size_t start = line.find_first_not_of(" \t", key.size() + 1);
      return start == std::string::npos ? "" : line.substr(start);
    }
  }
  return "";
}

long context_switches(pid_t pid) {
  return std::atol(status_field(pid, "voluntary_ctxt_switches").c_str()) +
         std::atol(status_field(pid, "nonvoluntary_ctxt_switches").c_str());
}

std::string describe_status(int status) {
  if (status < 0) return "no status (timed out)";
  if (WIFEXITED(status)) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

}  // namespace husk::test
