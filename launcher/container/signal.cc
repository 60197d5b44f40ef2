#include "container/signal.h"

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <charconv>

#include "json_text.h"

#include "container/loaded.h"
#include "container/namespace_processes.h"

namespace husk::launch {

Result<int> parse_signal(std::string_view text) {
  const std::string original(text);
  int number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec == std::errc() && end == text.data() + text.size()) {
    if (number <= 0 || number > SIGRTMAX) return Error("signal " + original + ": out of range");
    return number;
  }
  if (text.rfind("SIG", 0) == 0) text.remove_prefix(3);
  for (int sig = 1; sig < SIGRTMIN; ++sig) {
    const char* name = ::sigabbrev_np(sig);
    if (name != nullptr && text == name) return sig;
  }
  for (std::string_view base : {"RTMIN", "RTMAX"}) {
    if (text.rfind(base, 0) != 0) continue;
    std::string_view rest = text.substr(base.size());
    int offset = 0;
    if (!rest.empty()) {
      bool plus = rest[0] == '+', minus = rest[0] == '-';
      if (!plus && !minus) break;
      rest.remove_prefix(1);
      auto [e, c] = std::from_chars(rest.data(), rest.data() + rest.size(), offset);
      if (c != std::errc() || e != rest.data() + rest.size()) break;
      if (minus) offset = -offset;
    }
    int sig = (base == "RTMIN" ? SIGRTMIN : SIGRTMAX) + offset;
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) return sig;
  }
  return Error("unknown signal \"" + json_escape(original) + "\"");
}

Status kill(const Runtime& runtime, const KillOptions& options) {
  auto loaded = load(runtime, options.id);
  if (!loaded.ok()) return std::move(loaded).error();
  if (options.all) {
    // What is left in the cgroup of a stopped container too (without a pid namespace the
    // init's children outlive it), as runc does.
    auto cgroup = open_cgroup(loaded->record);
    if (!cgroup.ok()) return std::move(cgroup).error();
    if (*cgroup && loaded->record.owns_cgroup()) return (*cgroup)->kill(options.signal);
    // Without a cgroup (rootless), its pid namespace tells its processes.
    if (loaded->record.cgroup_paths.empty()) {
      HUSK_TRY(check_allowed(options.id, loaded->status, Operation::kKill));
      return signal_namespace_processes(options.id, loaded->record.init(), options.signal);
    }
  }
  HUSK_TRY(check_allowed(options.id, loaded->status, Operation::kKill));
  auto pidfd = open_if_alive(loaded->record.init());
  if (!pidfd.ok()) return std::move(pidfd).error();
  if (!pidfd->valid())
    return Error("container " + options.id +
                 " is stopped: kill needs a "
                 "created, running or paused container");
  if (::syscall(SYS_pidfd_send_signal, pidfd->get(), options.signal, nullptr, 0) != 0)
    return Error::from_errno("signalling the container's init");
  return {};
}

namespace {

Status set_frozen(const Runtime& runtime, const std::string& id, bool frozen) {
  auto loaded = load(runtime, id);
  if (!loaded.ok()) return std::move(loaded).error();
  HUSK_TRY(check_allowed(id, loaded->status, frozen ? Operation::kPause : Operation::kResume));
  auto cgroup = require_cgroup(loaded->record, frozen ? "pause" : "resume");
  if (!cgroup.ok()) return std::move(cgroup).error();
  HUSK_TRY(frozen ? cgroup->freeze() : cgroup->thaw());
  loaded->record.state.status = frozen ? ContainerStatus::kPaused : ContainerStatus::kRunning;
  return loaded->dir.write(loaded->record);
}

}  // namespace

Status pause(const Runtime& runtime, const std::string& id) {
  return set_frozen(runtime, id, true);
}
Status resume(const Runtime& runtime, const std::string& id) {
  return set_frozen(runtime, id, false);
}

}  // namespace husk::launch
