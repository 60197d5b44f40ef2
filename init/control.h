// `husk ctl`: list, start, stop or restart a service of a running husk from inside its
// container. One datagram each way over an AF_UNIX socket that husk binds (mode 0600, so only
// its user may talk to it); husk is told of a request by SIGIO and answers without blocking.
#pragma once

#include <string_view>

#include "unique_fd.h"

namespace husk {

inline constexpr std::size_t kMaxControlRequest = 64;
inline constexpr std::size_t kMaxControlReply = 4608;  // a list of 64 services

// The reply's first byte: kReplyOk, then text for stdout; kReplyError, then one line.
inline constexpr char kReplyOk = 'o';
inline constexpr char kReplyError = 'e';

// Binds the socket at `path` (replacing a stale one), non-blocking, signalling SIGIO to husk
// when a request arrives. Returns an invalid fd with errno set on failure.
UniqueFd open_control_socket(const char* path);

// Sends `reply` to the client that sent the request just received from `fd` (the address is in
// `peer`), without blocking: a client that went away loses it.
struct ControlPeer {
  char address[110];
  unsigned length;
};
// Receives one request into `request` (at most kMaxControlRequest bytes); false when none is
// waiting.
bool receive_control_request(int fd, char (&request)[kMaxControlRequest], std::size_t& size,
                             ControlPeer& peer);
void send_control_reply(int fd, const ControlPeer& peer, std::string_view reply);

// The client: `husk ctl [--control PATH] COMMAND [NAME]`; argv starts after "ctl". Returns the
// exit code (0, or 1 with one line on stderr).
int run_control_client(int argc, char* const* argv, const char* default_path);

}  // namespace husk
