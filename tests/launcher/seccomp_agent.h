// seccomp_agent: a seccomp agent for the SCMP_ACT_NOTIFY tests, as runtime-spec describes one:
// it listens on a unix socket (linux.seccomp.listenerPath), takes from the runtime one message
// per container process (the ContainerProcessState JSON, the listener fd as SCM_RIGHTS) and
// answers every notification on every listener it holds with `error` (an errno) until stopped.
#pragma once

#include <linux/seccomp.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bundle.h"

namespace husk::e2e {

class SeccompAgent {
 public:
  SeccompAgent(const std::string& path, int error) : error_(error) {
    socket_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::snprintf(address.sun_path, sizeof address.sun_path, "%s", path.c_str());
    bound_ = ::bind(socket_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
             ::listen(socket_, 4) == 0;
    thread_ = std::thread([this] { serve(); });
  }
  ~SeccompAgent() {
    stop_ = true;
    thread_.join();
    for (int fd : listeners_) ::close(fd);
    ::close(socket_);
  }
  SeccompAgent(const SeccompAgent&) = delete;
  SeccompAgent& operator=(const SeccompAgent&) = delete;

  bool bound() const { return bound_; }
  // The ContainerProcessState texts received so far, in order.
  std::vector<std::string> states() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return states_;
  }
  // The texts once at least `count` have come, or what came within `timeout_ms`: the agent
  // takes a listener on its own thread, after the runtime that sent it may have returned.
  std::vector<std::string> wait_for_states(size_t count, int timeout_ms = 5000) const {
    for (int waited = 0; waited < timeout_ms; waited += 10) {
      if (std::vector<std::string> got = states(); got.size() >= count) return got;
      ::usleep(10000);
    }
    return states();
  }
  int notifications() const { return notifications_; }

 private:
  void serve() {
    while (!stop_) {
      std::vector<pollfd> fds{{socket_, POLLIN, 0}};
      for (int fd : listeners_) fds.push_back({fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 50) <= 0) continue;
      std::vector<int> open;
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents & POLLIN) answer(fds[i].fd);
        if ((fds[i].revents & (POLLHUP | POLLERR)) && !(fds[i].revents & POLLIN)) {
          ::close(fds[i].fd);  // every process under that filter is gone
        } else {
          open.push_back(fds[i].fd);
        }
      }
      listeners_ = std::move(open);
      if (bound_ && (fds[0].revents & POLLIN)) take_listener();
    }
  }
  void take_listener() {
    int connection = ::accept4(socket_, nullptr, nullptr, SOCK_CLOEXEC);
    if (connection < 0) return;
    std::string state;
    int fd = receive_fd(connection, state);
    ::close(connection);
    if (fd < 0) return;
    listeners_.push_back(fd);
    std::lock_guard<std::mutex> lock(mutex_);
    states_.push_back(state);
  }
  void answer(int fd) {
    seccomp_notif request{};
    if (::ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) return;
    ++notifications_;
    seccomp_notif_resp response{};
    response.id = request.id;
    response.error = -error_;
    ::ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &response);
  }

  const int error_;
  int socket_ = -1;
  bool bound_ = false;
  std::atomic<bool> stop_{false};
  std::vector<int> listeners_;  // the serving thread's
  mutable std::mutex mutex_;
  std::vector<std::string> states_;
  std::atomic<int> notifications_{0};
  std::thread thread_;
};

}  // namespace husk::e2e
