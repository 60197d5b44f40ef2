#include "container/exec.h"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>

#include "channel.h"
#include "console.h"
#include "console_proxy.h"
#include "container/loaded.h"
#include "fd_passing.h"
#include "json_text.h"
#include "namespaces.h"
#include "process_setup.h"
#include "read_file.h"
#include "seccomp_filter.h"
#include "signals.h"
#include "spawn_exec.h"
#include "text_file.h"

namespace husk::launch {
namespace {

Result<uint32_t> parse_id(std::string_view what, std::string_view text) {
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return Error(std::string(what) + ": expected a number, got \"" + json_escape(text) + "\"");
  return value;
}

void set_env(std::vector<std::string>& env, const std::string& var) {
  std::string name = var.substr(0, var.find('=') + 1);
  for (std::string& existing : env) {
    if (existing.rfind(name, 0) == 0) {
      existing = var;
      return;
    }
  }
  env.push_back(var);
}

// The process to run and the name its errors carry.
Result<oci::Process> exec_process(const ExecOptions& o, const oci::Config& config,
                                  std::string& source) {
  if (!o.apparmor.empty()) return Error("--apparmor: launch does not support AppArmor");
  if (!o.process_label.empty()) return Error("--process-label: launch does not support SELinux");
  if (!o.process_file.empty()) {
    source = o.process_file.substr(o.process_file.rfind('/') + 1);
    auto text = oci::read_file(o.process_file);
    if (!text.ok()) return std::move(text).error().context("--process");
    auto process = oci::parse_process_json(*text, source);
    if (!process.ok()) return std::move(process).error();
    return process;
  }
  source = "config.json";
  oci::Process process = config.process.value_or(oci::Process());
  process.args = o.args;
  process.terminal = o.tty;
  process.console_size.reset();
  for (const std::string& var : o.env) {
    if (var.find('=') == std::string::npos)
      return Error("--env " + json_escape(var) + ": expected NAME=VALUE");
    set_env(process.env, var);
  }
  if (!o.cwd.empty()) {
    if (o.cwd[0] != '/') return Error("--cwd " + json_escape(o.cwd) + ": not an absolute path");
    process.cwd = o.cwd;
  }
  if (!o.user.empty()) {
    size_t colon = o.user.find(':');
    auto uid = parse_id("--user", std::string_view(o.user).substr(0, colon));
    if (!uid.ok()) return std::move(uid).error();
    process.user.uid = *uid;
    process.user.gid = 0;
    if (colon != std::string::npos) {
      auto gid = parse_id("--user", std::string_view(o.user).substr(colon + 1));
      if (!gid.ok()) return std::move(gid).error();
      process.user.gid = *gid;
    }
  }
  for (const std::string& gid_text : o.additional_gids) {
    auto gid = parse_id("--additional-gids", gid_text);
    if (!gid.ok()) return std::move(gid).error();
    process.user.additional_gids.push_back(*gid);
  }
  if (!o.caps.empty()) {
    if (!process.capabilities) process.capabilities.emplace();
    for (const std::string& cap : o.caps) {
      for (auto* set : {&process.capabilities->bounding, &process.capabilities->effective,
                        &process.capabilities->permitted})
        set->push_back(cap);
    }
  }
  if (o.no_new_privs) process.no_new_privileges = true;
  return process;
}

// The namespaces of the container's init, by fd. Root joins the user namespace last (a
// namespace the container joined by path may belong to the host's); any other caller first:
// its rights over the container's other namespaces are those it has in the user namespace.
Result<std::vector<OpenedNamespace>> container_namespaces(const oci::Config& config, pid_t pid) {
  std::vector<NamespaceJoin> joins;
  std::optional<NamespaceJoin> user;
  if (config.linux_config) {
    for (const oci::Namespace& ns : config.linux_config->namespaces) {
      static constexpr std::pair<oci::NamespaceType, const char*> kFiles[] = {
          {oci::NamespaceType::kPid, "pid"},       {oci::NamespaceType::kNetwork, "net"},
          {oci::NamespaceType::kMount, "mnt"},     {oci::NamespaceType::kIpc, "ipc"},
          {oci::NamespaceType::kUts, "uts"},       {oci::NamespaceType::kUser, "user"},
          {oci::NamespaceType::kCgroup, "cgroup"}, {oci::NamespaceType::kTime, "time"}};
      for (const auto& [type, file] : kFiles) {
        if (type != ns.type) continue;
        NamespaceJoin join{type, "/proc/" + std::to_string(pid) + "/ns/" + file};
        if (type == oci::NamespaceType::kUser) {
          user = join;
        } else {
          joins.push_back(join);
        }
      }
    }
  }
  if (user) joins.insert(::geteuid() == 0 ? joins.end() : joins.begin(), *user);
  return open_joins(joins);
}

// Root's launch enters the container's pid namespace for its children (setns changes nothing of
// its own), so that the child it clones next is born there and execs without a fork of its own;
// that pid namespace is then taken out of `joins`. launch first makes itself non-dumpable, which
// the child inherits: no process of the container may ptrace it or open its memory, not even in
// the moment before the child's own PR_SET_DUMPABLE. Not with a time namespace, which the child
// could only enter through a fork of its own, nor for another user, who may join the pid
// namespace only from inside the container's user namespace. Returns whether the child needs no
// fork: also when there is neither namespace to enter.
bool enter_pid_namespace_for_children(std::vector<OpenedNamespace>& joins) {
  auto has = [&](int flag) {
    return std::find_if(joins.begin(), joins.end(),
                        [&](const OpenedNamespace& ns) { return ns.flag == flag; });
  };
  if (has(CLONE_NEWTIME) != joins.end()) return false;
  auto pid = has(CLONE_NEWPID);
  if (pid == joins.end()) return true;
  if (::geteuid() != 0 || ::prctl(PR_SET_DUMPABLE, 0) != 0) return false;
  if (::setns(pid->fd.get(), CLONE_NEWPID) != 0) return false;  // the child's setns says why
  joins.erase(pid);
  return true;
}

}  // namespace

Result<int> exec(const Runtime& runtime, const ExecOptions& options) {
  auto loaded = load(runtime, options.id);
  if (!loaded.ok()) return std::move(loaded).error();
  HUSK_TRY(check_allowed(options.id, loaded->status, Operation::kExec));
  auto config = load_config_copy(loaded->dir);
  if (!config.ok()) return std::move(config).error();
  const Record record = loaded->record;
  loaded->dir.unlock();  // a long exec must not hold other commands on this container
  mark(runtime.trace, "load");

  std::string source;
  auto process = exec_process(options, *config, source);
  if (!process.ok()) return std::move(process).error();
  if (options.detach && process->terminal && options.console_socket.empty())
    return Error("--tty with --detach needs --console-socket");
  if (!options.console_socket.empty() && !process->terminal)
    return Error("--console-socket: the process has no terminal (--tty)");
  oci::Config exec_config = *config;
  exec_config.process = *process;
  auto prepared = process::prepare_process(exec_config, source, seccomp_cache_dir(runtime));
  if (!prepared.ok()) return std::move(prepared).error();
  if (runtime.trace != nullptr && prepared->seccomp)
    runtime.trace->note("seccomp", process::seccomp_source_name(prepared->seccomp_source));

  UniqueFd console_socket;
  if (!options.console_socket.empty()) {
    auto socket = connect_console_socket(options.console_socket);
    if (!socket.ok()) return std::move(socket).error();
    console_socket = std::move(*socket);
  }
  auto init = open_if_alive(record.init());
  if (!init.ok()) return std::move(init).error();
  if (!init->valid())
    return Error("container " + options.id +
                 " is stopped: exec needs a created "
                 "or running container");
  auto joins = container_namespaces(*config, record.state.pid);
  if (!joins.ok()) return std::move(joins).error();
  // Opened by path: the pid still being the init's (start time) makes them the container's.
  if (!alive(record.init())) return Error("container " + options.id + " stopped");
  const bool fork_after_join = !enter_pid_namespace_for_children(*joins);
  auto cgroup = open_cgroup(record);
  if (!cgroup.ok()) return std::move(cgroup).error();
  std::optional<cgroups::Cgroup::Entry> cgroup_entry;
  if (*cgroup) {
    auto entry = (*cgroup)->entry();
    if (!entry.ok()) return std::move(entry).error().context("the container's cgroup");
    cgroup_entry = std::move(*entry);
  }

  auto channel = Channel::create();
  if (!channel.ok()) return std::move(channel).error();
  UniqueFd console_receiver, console_sink;
  if (process->terminal) {
    auto pair = Channel::create();
    if (!pair.ok()) return std::move(pair).error().context("--tty");
    console_receiver = std::move(pair->parent_end());
    console_sink = std::move(pair->child_end());
  }
  UniqueFd listener, listener_sink;
  if (prepared->seccomp && prepared->seccomp->new_listener) {
    auto pair = Channel::create();
    if (!pair.ok()) return std::move(pair).error().context("seccomp listener");
    listener = std::move(pair->parent_end());
    listener_sink = std::move(pair->child_end());
  }
  auto signals = BlockedSignals::block();
  if (!signals.ok()) return std::move(signals).error();

  ExecPlan plan;
  plan.joins = &*joins;
  plan.process = &*process;
  plan.prepared = &*prepared;
  plan.preserve_fds = options.preserve_fds;
  plan.parent_death = !options.detach;
  plan.signal_mask = signals->original();
  plan.channel = channel->child_end().get();
  plan.console_sink = console_sink.get();
  plan.listener_sink = listener_sink.get();
  plan.cgroup = cgroup_entry ? &*cgroup_entry : nullptr;
  plan.parent_end = channel->parent_end().get();
  plan.fork_after_join = fork_after_join;
  mark(runtime.trace, "prepare");
  auto spawned = spawn_exec_child(plan);
  if (!spawned.ok()) {
    // A pid namespace whose PID 1 has exited takes no new process (ENOMEM).
    if (!fork_after_join && !alive(record.init()))
      return Error("container " + options.id + " stopped");
    return std::move(spawned).error();
  }
  pid_t child = *spawned;
  cgroup_entry.reset();  // the child has its copies
  channel->child_end().reset();
  console_sink.reset();
  listener_sink.reset();
  int fd = channel->parent_end().get();

  auto fail = [&](Error error) -> Error {
    if (child > 0) {
      ::kill(child, SIGKILL);
      while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
    return error;
  };
  auto expect = [&](ChildEvent event) -> Result<ChildMessage> {
    auto received = Channel::receive(fd);
    if (!received.ok()) return std::move(received).error();
    if (received->eof) return Error("the exec'd process exited during set-up");
    const ChildMessage& message = received->message;
    if (message.event == ChildEvent::kFailed) {
      if (message.stage == ChildStage::kProcess && !message.apply.ok())
        return std::move(
            process::describe_failure(*prepared, message.apply).context(stage_name(message.stage)));
      return describe(message);
    }
    if (message.event != event) return Error("the exec'd process sent an unexpected message");
    return message;
  };

  if (auto joined = expect(ChildEvent::kNamespaces); !joined.ok())
    return fail(std::move(joined).error());
  if (*cgroup) {
    if (auto added = (*cgroup)->add_process_v2(child); !added.ok())
      return fail(std::move(added).error().context("adding the process to the container's cgroup"));
  }
  mark(runtime.trace, "namespaces");
  if (auto go = Channel::send_go(fd, ""); !go.ok()) return fail(std::move(go).error());
  if (fork_after_join) {
    auto forked = expect(ChildEvent::kForked);
    if (!forked.ok()) return fail(std::move(forked).error());
    while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
    }
    child = forked->pid;
    mark(runtime.trace, "fork");
  }
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));

  UniqueFd console;
  std::optional<RawMode> raw_mode;
  if (console_receiver) {
    std::string path;
    auto master = process::receive_fd(console_receiver.get(), &path);
    if (!master.ok()) {
      auto received = expect(ChildEvent::kReady);  // the child's reason, if it sent one
      if (!received.ok()) return fail(std::move(received).error());
      return fail(std::move(master).error().context("--tty"));
    }
    console = std::move(*master);
    if (::isatty(STDIN_FILENO) && !console_socket) {
      if (auto size = window_size(STDIN_FILENO); size.ok())
        (void)set_window_size(console.get(), *size);
    }
    if (console_socket) {
      if (auto sent = send_console(console_socket.get(), console.get(), path); !sent.ok())
        return fail(std::move(sent).error());
      console.reset();
    }
  }
  if (listener) {  // the agent holds the listener before the process runs under the filter
    auto notify_fd = process::receive_fd(listener.get());
    if (!notify_fd.ok()) {
      auto reason = expect(ChildEvent::kReady);  // the child's reason, if it sent one
      if (!reason.ok()) return fail(std::move(reason).error());
      return fail(
          std::move(notify_fd).error().context("linux.seccomp: the SCMP_ACT_NOTIFY listener"));
    }
    State state = record.state;
    state.status = live_status(record);
    if (auto handed = process::hand_listener_to_agent(*prepared->seccomp, listener.get(),
                                                      notify_fd->get(), child, state_json(state));
        !handed.ok())
      return fail(std::move(handed).error());
  }
  auto received = Channel::receive(fd);
  if (!received.ok()) return fail(std::move(received).error());
  if (!received->eof) {
    const ChildMessage& message = received->message;
    if (message.stage == ChildStage::kProcess && !message.apply.ok())
      return fail(std::move(
          process::describe_failure(*prepared, message.apply).context(stage_name(message.stage))));
    return fail(describe(message));
  }
  mark(runtime.trace, "exec");
  if (!options.pid_file.empty()) {
    if (auto written = write_file_atomically(options.pid_file, std::to_string(child));
        !written.ok())
      return fail(std::move(written).error().context("--pid-file"));
  }
  if (options.detach) return 0;
  if (console && ::isatty(STDIN_FILENO)) {
    auto raw = RawMode::enter(STDIN_FILENO);
    if (raw.ok()) raw_mode.emplace(std::move(*raw));
  }
  auto code = console ? relay_console(console.get(), STDIN_FILENO, STDOUT_FILENO, *signals, child,
                                      pidfd.get())
                      : signals->forward_until_exit(child, pidfd.get());
  mark(runtime.trace, "run");
  return code;
}

}  // namespace husk::launch
