#include "container/start.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <optional>

#include "channel.h"
#include "container/loaded.h"
#include "fd_passing.h"
#include "hooks.h"
#include "process_setup.h"
#include "seccomp_filter.h"
#include "state/process_identity.h"

namespace husk::launch {
namespace {

Result<UniqueFd> connect_start_socket(const StateDir& dir) {
  UniqueFd socket(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!socket) return Error::from_errno("start.sock: socket");
  std::string path = dir.short_path("start.sock");
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return Error("start.sock: path too long");
  std::copy(path.begin(), path.end(), address.sun_path);
  if (::connect(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
    return Error::from_errno("container " + dir.id() + ": connecting to its held process");
  return socket;
}

// The child's failure as one line; the process library's stages need the prepared process.
Error child_failed(const ChildMessage& message, const oci::Config* config) {
  if (message.stage == ChildStage::kProcess && !message.apply.ok() && config != nullptr) {
    auto prepared = process::prepare_process(*config);
    if (prepared.ok())
      return std::move(
          process::describe_failure(*prepared, message.apply).context(stage_name(message.stage)));
  }
  return describe(message);
}

// SCMP_ACT_NOTIFY: the held process loads its filter once started and sends the listener on
// this socket (a one-byte message with the fd), or a failure message when it fails first.
// nullopt: the next message is not the listener (the caller reads the failure or end-of-file).
Result<std::optional<UniqueFd>> receive_listener(int socket) {
  char byte = 0;
  ssize_t size = 0;
  do {  // the next message's length, without taking it
    size = ::recv(socket, &byte, 1, MSG_PEEK | MSG_TRUNC);
  } while (size < 0 && errno == EINTR);
  if (size < 0) return Error::from_errno("linux.seccomp: waiting for the SCMP_ACT_NOTIFY listener");
  if (size != 1) return std::optional<UniqueFd>();
  auto fd = process::receive_fd(socket);
  if (!fd.ok()) return std::move(fd).error().context("linux.seccomp: the SCMP_ACT_NOTIFY listener");
  return std::optional<UniqueFd>(std::move(*fd));
}

// The container after a failed start: killed, and recorded as stopped.
void stop_after_failure(Loaded& loaded) {
  (void)kill_all(loaded.record, 2000);
  loaded.record.state.status = ContainerStatus::kStopped;
  (void)loaded.dir.write(loaded.record);
}

// The container whose held process died before start released it (killed after create): no
// reply to the go, or no process to connect to. Recorded as stopped.
Error process_gone(Loaded& loaded) {
  stop_after_failure(loaded);
  return Error("container " + loaded.record.state.id +
               ": its process exited before start released it (the container is stopped)");
}

// The go, answered by kReleased from the held process, or its failure.
Status release(int socket, Loaded& loaded, const oci::Config& config) {
  if (!Channel::send_go(socket, state_json(loaded.state())).ok()) return process_gone(loaded);
  auto reply = Channel::receive(socket);
  if (!reply.ok() || reply->eof) return process_gone(loaded);
  if (reply->message.event == ChildEvent::kReleased) return {};
  Error error = reply->message.event == ChildEvent::kFailed
                    ? child_failed(reply->message, &config)
                    : Error("container " + loaded.record.state.id +
                            ": its process sent an unexpected message");
  stop_after_failure(loaded);
  return error;
}

}  // namespace

Status start(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id);
  if (!loaded.ok()) return std::move(loaded).error();
  HUSK_TRY(check_allowed(id, loaded->status, Operation::kStart));
  auto config = load_config_copy(loaded->dir);
  if (!config.ok()) return std::move(config).error();
  mark(runtime.trace, "load");
  auto prepared = process::prepare_process(*config);
  if (!prepared.ok()) return std::move(prepared).error();
  auto socket = connect_start_socket(loaded->dir);
  if (!socket.ok()) {
    if (!alive(loaded->record.init())) return process_gone(*loaded);
    return std::move(socket).error();
  }
  HUSK_TRY(release(socket->get(), *loaded, *config));
  if (prepared->seccomp && prepared->seccomp->new_listener) {
    auto listener = receive_listener(socket->get());
    if (!listener.ok()) {
      stop_after_failure(*loaded);
      return std::move(listener).error();
    }
    if (*listener) {
      auto handed =
          process::hand_listener_to_agent(*prepared->seccomp, socket->get(), (*listener)->get(),
                                          loaded->record.state.pid, state_json(loaded->state()));
      if (!handed.ok()) {
        stop_after_failure(*loaded);
        return std::move(handed).error();
      }
    }
  }
  auto received = Channel::receive(socket->get());
  if (!received.ok()) return std::move(received).error();
  if (!received->eof) {
    Error error = child_failed(received->message, &*config);
    stop_after_failure(*loaded);
    return error;
  }
  mark(runtime.trace, "exec");
  ::unlink((loaded->dir.path() + "/start.sock").c_str());
  loaded->record.state.status = ContainerStatus::kRunning;
  HUSK_TRY(loaded->dir.write(loaded->record));
  mark(runtime.trace, "record");
  if (!config->hooks.poststart.empty()) {
    auto ran =
        process::run_hooks(config->hooks.poststart, "poststart", state_json(loaded->record.state));
    if (!ran.ok()) {
      (void)kill_all(loaded->record, 2000);
      return std::move(ran).error();
    }
  }
  return {};
}

}  // namespace husk::launch
