// bundle: the end-to-end harness for `launch`. A Bundle is a temporary OCI bundle with a
// busybox-static rootfs and a runc-spec-like config.json (editable as JSON before each run);
// run() executes the built launch on it and captures exit code, stdout and stderr; start()
// leaves it running in the background. leftovers() says what of the container is still on the
// host (cgroup, mounts, state, processes), empty when nothing is.
//
// The binaries come from the environment: LAUNCH_PATH and HUSK_PATH (meson test sets them).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace husk::e2e {

struct RunResult {
  int exit_code = -1;  // 128+N when launch was killed by signal N; -1: timed out
  std::string out;
  std::string err;
};

// A launch running in the background; killed (SIGKILL) and reaped on destruction if still alive.
class Running {
 public:
  Running(pid_t pid, int out_fd, int err_fd) : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}
  Running(Running&& other) noexcept;
  Running& operator=(Running&&) = delete;
  ~Running();

  pid_t pid() const { return pid_; }
  // Reads stdout until it holds `text` (or `timeout_ms` pass). Returns whether it did.
  bool wait_for_output(const std::string& text, int timeout_ms = 5000);
  // Sends a signal to launch.
  void signal(int sig) const;
  // Waits for launch to exit (at most `timeout_ms`; then SIGKILL, exit_code -1).
  RunResult wait(int timeout_ms = 10000);
  const std::string& out() const { return out_; }

 private:
  void drain(int timeout_ms);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
};

class Bundle {
 public:
  Bundle();  // a temporary directory with rootfs/ and the base config
  ~Bundle();
  Bundle(const Bundle&) = delete;
  Bundle& operator=(const Bundle&) = delete;

  const std::string& dir() const { return dir_; }
  std::string rootfs() const { return dir_ + "/rootfs"; }
  std::string state_root() const { return dir_ + "/state"; }
  // The leaf of the container's cgroup (linux.cgroupsPath is relative: "husk-e2e-XXXXXX").
  const std::string& cgroup_name() const { return cgroup_name_; }
  nlohmann::json& config() { return config_; }

  // process.args, set to `sh -c SCRIPT`.
  void shell(const std::string& script);
  // Adds or replaces the linux.namespaces entry of `type` (path empty: a new one); remove drops it.
  void set_namespace(const std::string& type, const std::string& path = "");
  void remove_namespace(const std::string& type);

  // Writes config.json, runs `launch --root STATE [args...] BUNDLE` (args before the bundle).
  // `fd3`: an fd of the test given to launch as its fd 3 (-1: none).
  RunResult run(const std::vector<std::string>& args = {}, int timeout_ms = 20000, int fd3 = -1);
  Running start(const std::vector<std::string>& args = {}, int fd3 = -1);
  // Like start(), with the terminal `tty` as launch's stdin and stdout (stderr stays a pipe).
  Running start_on_terminal(int tty, const std::vector<std::string>& args = {});
  // Runs launch with exactly these arguments (no bundle, no --root added).
  static RunResult run_launch(const std::vector<std::string>& args, int timeout_ms = 20000);
  static Running start_launch(const std::vector<std::string>& args, int fd3 = -1);

  void write_config() const;
  // Writes config.json; `launch --root STATE [args...] BUNDLE`.
  std::vector<std::string> launch_argv(const std::vector<std::string>& args) const;

  // What the last run left on the host: "cgroup /sys/fs/cgroup/...; mount ...; state ...;
  // process PID". Empty when nothing.
  std::string leftovers() const;

  // The paths of the built binaries.
  static std::string launch_path();
  static std::string husk_path();

 private:
  std::string dir_;
  std::string cgroup_name_;
  std::string marker_;  // in process.env: finds the container's processes
  nlohmann::json config_;
};

// Receives one message carrying an fd (SCM_RIGHTS, made close-on-exec) on a unix socket: the
// fd, or -1; the message's data (up to 64 KiB) goes to `data`.
int receive_fd(int socket, std::string& data);

// CLOCK_MONOTONIC in milliseconds, for the tests' deadlines.
int64_t now_ms();

// The text of a file, or "" when it cannot be read.
std::string read_text(const std::string& path);

// Skips the test unless running as root.
#define HUSK_E2E_REQUIRE_ROOT()                                               \
  do {                                                                        \
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (namespaces, cgroups)"; \
  } while (0)

}  // namespace husk::e2e
