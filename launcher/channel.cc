#include "channel.h"

#include <sys/socket.h>
#include <time.h>

#include <cerrno>
#include <cstring>

namespace husk::launch {
std::string_view stage_name(ChildStage stage) {
  switch (stage) {
    case ChildStage::kStart:
      return "starting the container process";
    case ChildStage::kCgroup:
      return "joining the cgroup";
    case ChildStage::kJoinNamespaces:
      return "joining namespaces";
    case ChildStage::kCreateNamespaces:
      return "creating namespaces";
    case ChildStage::kUserNamespace:
      return "entering the user namespace";
    case ChildStage::kCgroupNamespace:
      return "creating the cgroup namespace";
    case ChildStage::kFork:
      return "forking the container process";
    case ChildStage::kHostname:
      return "setting the hostname";
    case ChildStage::kHooks:
      return "running hooks";
    case ChildStage::kRootfs:
      return "setting up the rootfs";
    case ChildStage::kConsole:
      return "setting up the console";
    case ChildStage::kProcess:
      return "setting up the process";
    case ChildStage::kCwd:
      return "changing to process.cwd";
    case ChildStage::kFds:
      return "closing file descriptors";
    case ChildStage::kExec:
      return "exec";
  }
  return "setting up";
}

Result<Channel> Channel::create() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return Error::from_errno("socketpair");
  Channel channel;
  channel.parent_.reset(fds[0]);
  channel.child_.reset(fds[1]);
  return channel;
}

Result<Channel::Received> Channel::receive(int fd) {
  Received received;
  for (;;) {
    ssize_t n = ::recv(fd, &received.message, sizeof received.message, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("reading from the container process");
    if (n == 0) {
      received.eof = true;
      return received;
    }
    if (static_cast<size_t>(n) != sizeof received.message)
      return Error("reading from the container process: a message of " + std::to_string(n) +
                   " bytes");
    received.message.text[sizeof received.message.text - 1] = '\0';
    return received;
  }
}

namespace {

// A go travels as one or more messages: "c" + a chunk while more follow, "g" + the last chunk.
// One SEQPACKET message must fit the socket's send buffer (about 208 KiB): large state texts
// (annotations) are cut into chunks well below that.
constexpr size_t kChunk = size_t{64} << 10;

}  // namespace

Status Channel::send_go(int fd, std::string_view payload) {
  // A zero-length SEQPACKET message reads as end-of-file: a message is never empty.
  std::string message;
  do {
    std::string_view chunk = payload.substr(0, kChunk);
    payload.remove_prefix(chunk.size());
    message.assign(1, payload.empty() ? 'g' : 'c');
    message.append(chunk);
    ssize_t sent = 0;
    do {
      sent = ::send(fd, message.data(), message.size(), MSG_NOSIGNAL);
    } while (sent < 0 && errno == EINTR);
    if (sent < 0) return Error::from_errno("releasing the container process");
  } while (!payload.empty());
  return {};
}

int Channel::send(int fd, const ChildMessage& message) {
  for (;;) {
    if (::send(fd, &message, sizeof message, MSG_NOSIGNAL) >= 0) return 0;
    if (errno != EINTR) return errno;
  }
}

int Channel::wait_go(int fd, std::string* payload) {
  std::string received;
  std::string buffer;
  for (;;) {
    char byte = 0;
    ssize_t size = 0;
    do {  // the message's length, without taking it
      size = ::recv(fd, &byte, 1, MSG_PEEK | MSG_TRUNC);
    } while (size < 0 && errno == EINTR);
    if (size < 0) return errno;
    if (size == 0) return EPIPE;  // the parent is gone
    buffer.assign(static_cast<size_t>(size), '\0');
    ssize_t n = 0;
    do {
      n = ::recv(fd, buffer.data(), buffer.size(), 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return errno;
    if (n == 0) return EPIPE;  // the parent is gone
    received.append(buffer, 1, static_cast<size_t>(n) - 1);
    if (buffer[0] == 'g') break;
    if (buffer[0] != 'c') return EPROTO;
  }
  if (payload) *payload = std::move(received);
  return 0;
}

void set_text(ChildMessage& message, std::string_view text) {
  size_t n = std::min(text.size(), sizeof message.text - 1);
  std::memcpy(message.text, text.data(), n);
  message.text[n] = '\0';
}

Error describe(const ChildMessage& message) {
  std::string text(stage_name(message.stage));
  if (message.text[0] != '\0') text += std::string(": ") + message.text;
  return Error(std::move(text), message.error);
}

int64_t realtime_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace husk::launch
