// fd_passing: one file descriptor over a unix socket (SCM_RIGHTS), with some bytes of data.
#pragma once

#include <string>
#include <string_view>

#include "error.h"
#include "unique_fd.h"

namespace husk::process {

// Sends `fd` with one byte of data. Returns 0 or an errno; no allocation (the child uses it).
int send_fd(int socket, int fd);

// Sends `fd` with `data` in one message. Returns 0 or an errno.
int send_fd_with_data(int socket, int fd, std::string_view data);

// Receives one message carrying an fd (made O_CLOEXEC); its data goes to `data` when given
// (up to 64 KiB).
Result<UniqueFd> receive_fd(int socket, std::string* data = nullptr);

}  // namespace husk::process
