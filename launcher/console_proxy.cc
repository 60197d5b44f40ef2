#include "console_proxy.h"

#include <fcntl.h>
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>

#include "console.h"

namespace husk::launch {
namespace {

// After the container exits: how long the master may stay silent, and how long in all launch
// drains it (a process outside a pid namespace may still hold the slave and write on).
constexpr int kDrainQuietMs = 200;
constexpr int64_t kDrainMaxNs = 1'000'000'000;

// Bytes read from one side, waiting to be written to the other. At most one pipe buffer's
// worth, so that a write after POLLOUT does not block on a pipe.
struct Buffer {
  char data[4096];
  size_t start = 0;
  size_t end = 0;

  bool empty() const { return start == end; }
  void clear() { start = end = 0; }

  // Reads once from `fd` into the empty buffer: >0 bytes, 0 end-of-file, -1 errno.
  ssize_t fill(int fd) {
    ssize_t n = ::read(fd, data, sizeof data);
    if (n > 0) {
      start = 0;
      end = static_cast<size_t>(n);
    }
    return n;
  }

  // Writes once to `fd`. False when `fd` cannot take more (the buffer is then dropped).
  bool flush_once(int fd) {
    ssize_t n = ::write(fd, data + start, end - start);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) return true;
      clear();
      return false;
    }
    start += static_cast<size_t>(n);
    if (start == end) clear();
    return true;
  }

  bool flush_all(int fd) {
    while (!empty()) {
      pollfd p{fd, POLLOUT, 0};
      if (::poll(&p, 1, -1) < 0 && errno != EINTR) return false;
      if (!flush_once(fd)) return false;
    }
    return true;
  }
};

int64_t monotonic_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

bool would_block(ssize_t n) { return n < 0 && (errno == EAGAIN || errno == EINTR); }

void copy_window_size(int from, int to) {
  if (!::isatty(from)) return;
  auto size = window_size(from);
  if (size.ok()) (void)set_window_size(to, *size);
}

// What launch relays from the master after the container is gone.
void drain(int master, int out, Buffer& to_out, bool out_open) {
  const int64_t deadline = monotonic_ns() + kDrainMaxNs;
  while (monotonic_ns() < deadline) {
    if (out_open && !to_out.empty()) out_open = to_out.flush_all(out);
    to_out.clear();
    pollfd p{master, POLLIN, 0};
    int ready = ::poll(&p, 1, kDrainQuietMs);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return;
    ssize_t n = to_out.fill(master);
    if (would_block(n)) continue;
    if (n <= 0) return;  // EIO: every slave is closed and nothing is left
  }
}

}  // namespace

Result<RawMode> RawMode::enter(int fd) {
  termios saved{};
  if (::tcgetattr(fd, &saved) != 0) return Error::from_errno("tcgetattr");
  termios raw = saved;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSANOW, &raw) != 0) return Error::from_errno("tcsetattr");
  return RawMode(fd, saved);
}

RawMode::~RawMode() {
  if (fd_ >= 0) ::tcsetattr(fd_, TCSANOW, &saved_);
}

Result<int> relay_console(int master, int in, int out, BlockedSignals& signals, pid_t pid,
                          int pidfd) {
  int flags = ::fcntl(master, F_GETFL);
  if (flags < 0 || ::fcntl(master, F_SETFL, flags | O_NONBLOCK) != 0)
    return Error::from_errno("the terminal's master: O_NONBLOCK");
  Buffer to_master, to_out;
  bool in_open = true, out_open = true, master_open = true;
  enum { kSignals, kPidfd, kMaster, kIn, kOut };
  for (;;) {
    auto exited = reap_if_exited(pid);
    if (!exited.ok()) return std::move(exited).error();
    if (*exited) {
      if (master_open) drain(master, out, to_out, out_open);
      return **exited;
    }
    // A negative fd is skipped by poll: so is a side that is closed or whose buffer is full.
    pollfd fds[5] = {};
    fds[kSignals] = {signals.fd(), POLLIN, 0};
    fds[kPidfd] = {pidfd, POLLIN, 0};
    short master_events =
        static_cast<short>((to_out.empty() ? POLLIN : 0) | (to_master.empty() ? 0 : POLLOUT));
    fds[kMaster] = {master_open && master_events != 0 ? master : -1, master_events, 0};
    fds[kIn] = {in_open && to_master.empty() ? in : -1, POLLIN, 0};
    fds[kOut] = {!to_out.empty() ? out : -1, POLLOUT, 0};
    if (::poll(fds, 5, -1) < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("poll");
    }
    if (fds[kSignals].revents & POLLIN) {
      int sig = signals.take();
      if (sig == SIGWINCH) {
        copy_window_size(in, master);
      } else if (sig != 0 && sig != SIGCHLD) {
        BlockedSignals::forward(sig, pid, pidfd);
      }
    }
    if (fds[kIn].revents != 0) {
      ssize_t n = to_master.fill(in);
      if (!would_block(n) && n <= 0) in_open = false;  // end-of-file: stop reading, as runc
    }
    if (fds[kMaster].revents & POLLOUT) {
      if (!to_master.flush_once(master)) master_open = false;
    }
    if ((fds[kMaster].revents & (POLLIN | POLLHUP | POLLERR)) && to_out.empty()) {
      ssize_t n = to_out.fill(master);
      // EIO: no slave is open (the container closed its terminal); wait for it to exit.
      if (!would_block(n) && n <= 0) master_open = false;
      if (!out_open) to_out.clear();
    }
    if (fds[kOut].revents != 0) {
      if (!to_out.flush_once(out)) out_open = false;
    }
  }
}

}  // namespace husk::launch
