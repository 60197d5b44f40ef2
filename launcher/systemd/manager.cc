#include "systemd/manager.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

namespace husk::launch::systemd {
namespace {

constexpr int64_t kCallTimeoutMs = 30000;  // a method call and its job

int64_t now_ms() {
  struct timespec ts {};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

Status send_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("writing to systemd");
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

// Reads more bytes into `buffer`, waiting until `deadline_ms` at most: false when none came.
Result<bool> read_until(int fd, std::string& buffer, int64_t deadline_ms) {
  while (true) {
    int64_t left = deadline_ms - now_ms();
    if (left <= 0) return false;
    struct pollfd p {
      fd, POLLIN, 0
    };
    int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return Error::from_errno("waiting for systemd");
    if (ready == 0) continue;
    char chunk[4096];
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::from_errno("reading from systemd");
    if (n == 0) return Error("systemd closed the connection");
    buffer.append(chunk, static_cast<size_t>(n));
    return true;
  }
}

Status read_more(int fd, std::string& buffer, int64_t deadline_ms) {
  auto read = read_until(fd, buffer, deadline_ms);
  if (!read.ok()) return std::move(read).error();
  if (!*read) return Error("systemd did not answer within 30 s");
  return {};
}

Call manager_call(std::string_view member, std::vector<Argument> arguments) {
  return Call{"org.freedesktop.systemd1", "/org/freedesktop/systemd1",
              "org.freedesktop.systemd1.Manager", std::string(member), std::move(arguments)};
}

}  // namespace

Result<Manager> Manager::connect(std::string_view socket) {
  UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd) return Error::from_errno("systemd: socket");
  struct sockaddr_un address {};
  address.sun_family = AF_UNIX;
  if (socket.size() >= sizeof address.sun_path) return Error("systemd: socket path too long");
  std::memcpy(address.sun_path, socket.data(), socket.size());
  if (::connect(fd.get(), reinterpret_cast<const struct sockaddr*>(&address), sizeof address) != 0)
    return Error::from_errno("systemd: connecting to " + std::string(socket) +
                             " (is systemd PID 1?)");
  // SASL EXTERNAL: the kernel tells systemd our uid; we name it, hex-encoded decimal.
  std::string uid = std::to_string(::geteuid());
  std::string hex;
  for (char c : uid) {
    static constexpr char kDigits[] = "0123456789abcdef";
    hex += kDigits[static_cast<unsigned char>(c) >> 4];
    hex += kDigits[static_cast<unsigned char>(c) & 15];
  }
  HUSK_TRY_CTX(send_all(fd.get(), std::string(1, '\0') + "AUTH EXTERNAL " + hex + "\r\n"),
               "systemd");
  std::string line;
  int64_t deadline = now_ms() + kCallTimeoutMs;
  while (line.find("\r\n") == std::string::npos)
    HUSK_TRY_CTX(read_more(fd.get(), line, deadline), "systemd: authenticating");
  if (!line.starts_with("OK ") || line.size() != line.find("\r\n") + 2)
    return Error("systemd: authentication refused: " + line.substr(0, line.find("\r\n")));
  HUSK_TRY_CTX(send_all(fd.get(), "BEGIN\r\n"), "systemd");
  Manager manager(std::move(fd));
  HUSK_TRY(manager.ping());
  return manager;
}

// systemd's server reads the end of the authentication and what follows it in one go, and may
// then leave that first message unread until more bytes arrive: a Ping (harmless to repeat) is
// sent again every 100 ms until one is answered, before any real call.
Status Manager::ping() {
  const int64_t deadline = now_ms() + kCallTimeoutMs;
  Call ping{"org.freedesktop.systemd1",
            "/org/freedesktop/systemd1",
            "org.freedesktop.DBus.Peer",
            "Ping",
            {}};
  std::set<uint32_t> sent;
  while (now_ms() < deadline) {
    uint32_t serial = ++serial_;
    HUSK_TRY_CTX(send_all(fd_.get(), marshal_call(ping, serial)), "systemd");
    sent.insert(serial);
    const int64_t until = std::min(deadline, now_ms() + 100);
    while (true) {
      auto message = buffered();
      if (!message.ok()) return std::move(message).error();
      if (*message) {
        if (sent.contains((*message)->reply_serial)) return {};
        continue;
      }
      auto read = read_until(fd_.get(), buffer_, until);
      if (!read.ok()) return std::move(read).error().context("systemd");
      if (!*read) break;
    }
  }
  return Error("systemd: no answer to a Ping within 30 s");
}

Result<std::optional<Message>> Manager::buffered() {
  if (buffer_.size() < 16) return std::optional<Message>();
  auto size = message_size(buffer_);
  if (!size.ok()) return std::move(size).error().context("systemd");
  if (buffer_.size() < *size) return std::optional<Message>();
  auto message = parse_message(std::string_view(buffer_).substr(0, *size));
  buffer_.erase(0, *size);
  if (!message.ok()) return std::move(message).error().context("systemd");
  return std::optional<Message>(std::move(*message));
}

Result<Message> Manager::receive() {
  while (true) {
    auto message = buffered();
    if (!message.ok()) return std::move(message).error();
    if (*message) return std::move(**message);
    HUSK_TRY(read_more(fd_.get(), buffer_, deadline_ms_));
  }
}

Result<Message> Manager::call(std::string_view member, std::vector<Argument> arguments) {
  deadline_ms_ = now_ms() + kCallTimeoutMs;
  uint32_t serial = ++serial_;
  HUSK_TRY(send_all(fd_.get(), marshal_call(manager_call(member, std::move(arguments)), serial)));
  while (true) {
    auto message = receive();
    if (!message.ok()) return message;
    if (message->type == MessageType::kSignal && message->member == "JobRemoved" &&
        message->arguments.size() >= 4) {
      jobs_[message->arguments[1]] = message->arguments[3];  // id, job, unit, result
      continue;
    }
    if (message->reply_serial != serial) continue;
    if (message->type == MessageType::kError) {
      std::string text = message->arguments.empty() ? message->error_name : message->arguments[0];
      Error error(text);
      error.context(message->error_name);
      return error;
    }
    return message;
  }
}

Status Manager::wait_for_job(const std::string& job) {
  while (jobs_.find(job) == jobs_.end()) {
    auto message = receive();
    if (!message.ok()) return std::move(message).error();
    if (message->type == MessageType::kSignal && message->member == "JobRemoved" &&
        message->arguments.size() >= 4)
      jobs_[message->arguments[1]] = message->arguments[3];
  }
  std::string result = jobs_[job];
  jobs_.erase(job);
  if (result != "done") return Error("its job ended with \"" + result + "\"");
  return {};
}

Result<std::string> Manager::start_transient_unit(std::string_view unit,
                                                  const std::vector<Property>& properties) {
  std::string what = "systemd: starting " + std::string(unit);
  auto reply =
      call("StartTransientUnit", {std::string(unit), std::string("fail"), properties, AuxUnits{}});
  if (!reply.ok()) return std::move(reply).error().context(what);
  if (reply->arguments.empty()) return Error(what + ": a reply without a job");
  return reply->arguments[0];
}

Status Manager::stop_unit(std::string_view unit) {
  std::string what = "systemd: stopping " + std::string(unit);
  auto reply = call("StopUnit", {std::string(unit), std::string("replace")});
  if (!reply.ok()) {
    if (reply.error().message().starts_with("org.freedesktop.systemd1.NoSuchUnit")) return {};
    return std::move(reply).error().context(what);
  }
  if (reply->arguments.empty()) return Error(what + ": a reply without a job");
  HUSK_TRY_CTX(wait_for_job(reply->arguments[0]), what);
  return {};
}

Status Manager::set_unit_properties(std::string_view unit,
                                    const std::vector<Property>& properties) {
  auto reply = call("SetUnitProperties", {std::string(unit), true, properties});
  if (!reply.ok())
    return std::move(reply).error().context("systemd: setting the properties of " +
                                            std::string(unit));
  return {};
}

}  // namespace husk::launch::systemd
