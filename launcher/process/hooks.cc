#include "hooks.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "fault_injection.h"
#include "unique_fd.h"

namespace husk::process {
namespace {

// The state JSON in a memfd positioned at 0: the hook's stdin. Unlike a pipe it
// never blocks us and never raises SIGPIPE, whatever the hook does with its stdin.
Result<UniqueFd> state_stdin(std::string_view state_json) {
  UniqueFd fd(memfd_create("husk-hook-state", MFD_CLOEXEC));
  if (!fd) return Error::from_errno("memfd_create");
  size_t done = 0;
  while (done < state_json.size()) {
    ssize_t n = write(fd.get(), state_json.data() + done, state_json.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("writing the state");
    done += static_cast<size_t>(n);
  }
  if (lseek(fd.get(), 0, SEEK_SET) != 0) return Error::from_errno("lseek");
  return fd;
}

int64_t now_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// Waits until the process behind `pidfd` exits or `timeout_s` (<= 0: no limit) passes.
// True when it exited.
Result<bool> wait_exit(int pidfd, int timeout_s) {
  const int64_t deadline = now_ms() + int64_t{timeout_s} * 1000;
  while (true) {
    int wait_ms = -1;
    if (timeout_s > 0) {
      int64_t left = deadline - now_ms();
      if (left <= 0) return false;
      wait_ms = static_cast<int>(left);
    }
    pollfd pfd{pidfd, POLLIN, 0};
    int n = poll(&pfd, 1, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("poll");
    if (n > 0) return true;
  }
}

Result<int> reap(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::from_errno("waitpid");
  }
  return status;
}

}  // namespace

Status run_hook(const oci::Hook& hook, std::string_view label, std::string_view state_json) {
  const std::string where = std::string(label) + " " + hook.path;

  std::vector<char*> argv;
  if (hook.args.empty()) argv.push_back(const_cast<char*>(hook.path.c_str()));
  for (const std::string& arg : hook.args) argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const std::string& var : hook.env) envp.push_back(const_cast<char*>(var.c_str()));
  envp.push_back(nullptr);

  auto input = state_stdin(state_json);
  if (!input) return std::move(input).error().context(where);
  int exec_pipe[2];
  if (pipe2(exec_pipe, O_CLOEXEC) != 0) return Error::from_errno(where + ": pipe");
  UniqueFd exec_read(exec_pipe[0]);
  UniqueFd exec_write(exec_pipe[1]);

  pid_t pid = fork();
  if (pid < 0) return Error::from_errno(where + ": fork");
  if (pid == 0) {
    // The hook: stdin is the state, stdout goes to our stderr. Async-signal-safe calls only.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    (void)signal(SIGPIPE, SIG_DFL);
    if (dup2(input->get(), STDIN_FILENO) >= 0 && dup2(STDERR_FILENO, STDOUT_FILENO) >= 0)
      execve(hook.path.c_str(), argv.data(), envp.data());
    int error = errno;
    (void)!write(exec_write.get(), &error, sizeof error);
    _exit(127);
  }
  exec_write.reset();

  int exec_error = 0;
  ssize_t n;
  do {
    n = read(exec_read.get(), &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  if (n == sizeof exec_error) {
    (void)reap(pid);
    return Error(where + ": exec", exec_error);
  }

  UniqueFd pidfd(static_cast<int>(syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    Error error = Error::from_errno(where + ": pidfd_open");
    kill(pid, SIGKILL);
    (void)reap(pid);
    return error;
  }
  const int timeout = hook.timeout.value_or(0);
  auto exited = wait_exit(pidfd.get(), timeout);
  if (!exited || !*exited) {
    syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0);
    (void)reap(pid);
    if (!exited) return std::move(exited).error().context(where);
    return Error(where + ": timed out after " + std::to_string(timeout) + "s");
  }
  auto status = reap(pid);
  if (!status) return std::move(status).error().context(where);
  if (WIFEXITED(*status) && WEXITSTATUS(*status) != 0)
    return Error(where + ": exited with status " + std::to_string(WEXITSTATUS(*status)));
  if (WIFSIGNALED(*status)) {
    const char* abbrev = sigabbrev_np(WTERMSIG(*status));
    return Error(where + ": killed by signal " + std::to_string(WTERMSIG(*status)) +
                 (abbrev != nullptr ? " (SIG" + std::string(abbrev) + ")" : ""));
  }
  return {};
}

Status run_hooks(const std::vector<oci::Hook>& hooks, std::string_view list,
                 std::string_view state_json) {
  HUSK_TRY(injected_fault("before:" + std::string(list)));
  for (size_t i = 0; i < hooks.size(); ++i) {
    std::string label = "hooks." + std::string(list) + "[" + std::to_string(i) + "]";
    HUSK_TRY(run_hook(hooks[i], label, state_json));
  }
  return injected_fault("after:" + std::string(list));
}

}  // namespace husk::process
