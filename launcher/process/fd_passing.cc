#include "fd_passing.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace husk::process {
namespace {

// The message header of one SCM_RIGHTS message over `size` bytes at `data`.
struct FdMessage {
  FdMessage(void* data, size_t size) : iov{data, size} {
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;

  iovec iov;
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr msg{};
};

}  // namespace

int send_fd_with_data(int socket, int fd, std::string_view data) {
  FdMessage message(const_cast<char*>(data.data()), data.size());
  cmsghdr* cmsg = CMSG_FIRSTHDR(&message.msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
  ssize_t n;
  do {
    n = sendmsg(socket, &message.msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno;
  return n == static_cast<ssize_t>(data.size()) ? 0 : EMSGSIZE;
}

int send_fd(int socket, int fd) { return send_fd_with_data(socket, fd, "F"); }

Result<UniqueFd> receive_fd(int socket, std::string* data) {
  std::string buffer(data != nullptr ? 65536 : 1, '\0');
  FdMessage message(buffer.data(), buffer.size());
  ssize_t n;
  do {
    n = recvmsg(socket, &message.msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::from_errno("receiving an fd");
  cmsghdr* cmsg = CMSG_FIRSTHDR(&message.msg);
  if (n == 0 || cmsg == nullptr || cmsg->cmsg_type != SCM_RIGHTS ||
      cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
    return Error("receiving an fd: the message carries none");
  int fd = -1;
  std::memcpy(&fd, CMSG_DATA(cmsg), sizeof(int));
  if (data != nullptr) data->assign(buffer.data(), static_cast<size_t>(n));
  return UniqueFd(fd);
}

}  // namespace husk::process
