#include "container/start.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>

#include "channel.h"
#include "container/loaded.h"
#include "hooks.h"
#include "process_setup.h"

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

}  // namespace

Status start(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id);
  if (!loaded.ok()) return std::move(loaded).error();
  HUSK_TRY(check_allowed(id, loaded->status, Operation::kStart));
  auto config = load_config_copy(loaded->dir);
  if (!config.ok()) return std::move(config).error();
  mark(runtime.trace, "load");
  auto socket = connect_start_socket(loaded->dir);
  if (!socket.ok()) return std::move(socket).error();
  HUSK_TRY(Channel::send_go(socket->get(), state_json(loaded->state())));
  auto received = Channel::receive(socket->get());
  if (!received.ok()) return std::move(received).error();
  if (!received->eof) {
    Error error = child_failed(received->message, &*config);
    (void)kill_all(loaded->record, 2000);
    loaded->record.state.status = ContainerStatus::kStopped;
    (void)loaded->dir.write(loaded->record);
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
