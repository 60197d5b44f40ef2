#include "control.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

#include "log.h"

namespace husk {
namespace {

bool make_address(const char* path, sockaddr_un& address, socklen_t& length) {
  std::size_t size = std::strlen(path);
  if (size == 0 || size >= sizeof address.sun_path) {
    errno = ENAMETOOLONG;
    return false;
  }
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path, size + 1);
  length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + size + 1);
  return true;
}

int fail(std::string_view what, std::string_view detail) {
  Message line;
  line << "husk ctl: " << what << detail << '\n';
  write_all(STDERR_FILENO, line.view());
  return 1;
}

}  // namespace

UniqueFd open_control_socket(const char* path) {
  sockaddr_un address{};
  socklen_t length = 0;
  if (!make_address(path, address, length)) return UniqueFd();
  UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd) return fd;
  struct stat st {};
  if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode)) unlink(path);  // a stale one
  const mode_t old_umask = umask(077);
  const int bound = bind(fd.get(), reinterpret_cast<sockaddr*>(&address), length);
  umask(old_umask);
  if (bound != 0) return UniqueFd();
  if (fcntl(fd.get(), F_SETOWN, getpid()) != 0 || fcntl(fd.get(), F_SETSIG, SIGIO) != 0 ||
      fcntl(fd.get(), F_SETFL, O_NONBLOCK | O_ASYNC) != 0) {
    return UniqueFd();
  }
  return fd;
}

bool receive_control_request(int fd, char (&request)[kMaxControlRequest], std::size_t& size,
                             ControlPeer& peer) {
  sockaddr_un from{};
  socklen_t from_length = sizeof from;
  ssize_t n = recvfrom(fd, request, sizeof request, MSG_DONTWAIT,
                       reinterpret_cast<sockaddr*>(&from), &from_length);
  if (n < 0) return false;
  size = static_cast<std::size_t>(n);
  peer.length = from_length <= sizeof peer.address ? from_length : 0;
  std::memcpy(peer.address, &from, peer.length);
  return true;
}

void send_control_reply(int fd, const ControlPeer& peer, std::string_view reply) {
  if (peer.length == 0) return;
  sendto(fd, reply.data(), reply.size(), MSG_DONTWAIT | MSG_NOSIGNAL,
         reinterpret_cast<const sockaddr*>(peer.address), peer.length);
}

int run_control_client(int argc, char* const* argv, const char* default_path) {
  const char* path = default_path;
  int i = 0;
  if (i < argc && std::strcmp(argv[i], "--control") == 0 && i + 1 < argc) {
    path = argv[i + 1];
    i += 2;
  }
  if (i >= argc || argc - i > 2) {
    return fail("usage: husk ctl [--control PATH] list | start NAME | stop NAME | restart NAME",
                "");
  }
  Message request;
  request << argv[i];
  if (i + 1 < argc) request << ' ' << argv[i + 1];
  if (request.view().size() > kMaxControlRequest) return fail("request too long", "");

  sockaddr_un server{};
  socklen_t server_length = 0;
  if (!make_address(path, server, server_length)) return fail(path, ": path too long");
  UniqueFd fd(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un self{};
  self.sun_family = AF_UNIX;  // autobind: an abstract address of the kernel's choosing
  timeval timeout{5, 0};
  if (!fd || bind(fd.get(), reinterpret_cast<sockaddr*>(&self), sizeof(sa_family_t)) != 0 ||
      setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
    return fail("socket: ", std::strerror(errno));
  }
  if (sendto(fd.get(), request.view().data(), request.view().size(), 0,
             reinterpret_cast<sockaddr*>(&server), server_length) < 0) {
    Message where;
    where << path << ": ";
    return fail(where.view(), std::strerror(errno));
  }
  char reply[kMaxControlReply];
  ssize_t n;
  do {
    n = recv(fd.get(), reply, sizeof reply, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail("no answer from husk: ", std::strerror(errno));
  if (n == 0) return fail("empty answer from husk", "");
  std::string_view text(reply + 1, static_cast<std::size_t>(n - 1));
  if (reply[0] == kReplyError) return fail(text, "");
  write_all(STDOUT_FILENO, text);
  return 0;
}

}  // namespace husk
