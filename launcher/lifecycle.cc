#include "lifecycle.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>

#include "cgroups.h"
#include "channel.h"
#include "console.h"
#include "console_proxy.h"
#include "device_rules.h"
#include "fault_injection.h"
#include "fd_passing.h"
#include "hooks.h"
#include "host_support.h"
#include "init_binary.h"
#include "json_text.h"
#include "namespaces.h"
#include "oci_config.h"
#include "process_setup.h"
#include "seccomp_filter.h"
#include "signals.h"
#include "spawn.h"
#include "state/store.h"
#include "systemd/manager.h"
#include "systemd/properties.h"
#include "systemd/unit_path.h"
#include "text_file.h"

namespace husk::launch {
namespace {

Result<std::string> absolute_path(const std::string& path, std::string_view what) {
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr)
    return Error::from_errno(std::string(what) + " " + path);
  return std::string(buf);
}

// `launch BUNDLE` names its container after the bundle, launch's pid and a random number: a
// state directory a killed launch left never blocks a later run that gets the same pid.
std::string derived_id(const std::string& bundle) {
  std::string base = bundle.substr(bundle.rfind('/') + 1);
  for (char& c : base) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '+' || c == '-';
    if (!ok) c = '_';
  }
  if (base.empty() || base == "." || base == "..") base = "bundle";
  uint32_t random = 0;
  if (::getrandom(&random, sizeof random, GRND_NONBLOCK) != sizeof random)
    random = static_cast<uint32_t>(realtime_ns());
  char suffix[16];
  (void)std::snprintf(suffix, sizeof suffix, "-%08x", random);
  return base + "-" + std::to_string(::getpid()) + suffix;
}

// Rootless: the cgroup could not be made for want of rights (a v1 hierarchy, or a v2 tree
// nobody delegated to the caller).
bool rootless_may_skip(int error) { return error == EACCES || error == EPERM || error == EROFS; }

// Whether linux.resources sets anything but device rules.
bool asks_for_limits(const cgroups::Resources& r) {
  return r.memory || r.cpu || r.pids || r.block_io || !r.hugepage_limits.empty() || r.network ||
         !r.rdma.empty() || !r.unified.empty();
}

}  // namespace

struct Container::Impl {
  Impl(const Runtime& runtime, Mode mode)
      : runtime(runtime), log(*runtime.log), mode(mode), trace(runtime.trace) {}
  ~Impl() { abandon(); }

  const Runtime& runtime;
  const Log& log;
  Mode mode;
  CreateOptions options;
  oci::Config config;
  std::string config_text;
  Record record;
  State& state = record.state;
  std::optional<StateDir> state_dir;
  UniqueFd start_listener;  // kHeld: the socket `launch start` connects to
  NamespacePlan plan;
  std::vector<OpenedNamespace> joins;
  std::optional<process::PreparedProcess> prepared;
  UniqueFd init_fd;
  std::optional<cgroups::Cgroup> cgroup;
  // --systemd-cgroup: the scope is started with the child's pid (start_scope), then `cgroup`
  // opens its directory.
  std::optional<cgroups::Hierarchy> hierarchy;
  cgroups::Resources resources;
  std::optional<systemd::Manager> systemd;
  systemd::UnitPath unit;
  bool scope_started = false;
  std::optional<cgroups::Cgroup::Entry> cgroup_entry;  // until the child has its copies
  std::optional<BlockedSignals> signals;
  UniqueFd channel;   // the parent's end
  UniqueFd listener;  // the parent's end of the seccomp listener socket
  // process.terminal: the pty's master comes from the child over console_receiver, then goes
  // to --console-socket or is relayed to launch's stdio, launch's terminal in raw mode.
  UniqueFd console_socket;
  UniqueFd console_receiver;
  UniqueFd console;
  std::optional<RawMode> raw_mode;
  pid_t child = 0;      // the cloned process, then the container's process; 0 once reaped
  bool direct = false;  // the child goes from clone to exec without waiting (spawn.h)
  UniqueFd pidfd;
  bool destroyed = false;
  int64_t created_ns = 0;  // CLOCK_REALTIME
  Trace* trace;            // --debug: the phases (trace.h); null without

  Status load();
  Status make_state_dir();
  Status prepare();
  Status prepare_scope(const std::string& cgroups_path);
  Status start_scope();  // --systemd-cgroup: systemd makes the scope with the child in it
  Status spawn();
  Status handshake();
  Status take_console();
  Error child_failed(const ChildMessage& message);
  Result<ChildMessage> expect(ChildEvent event);
  Status run_hooks(const std::vector<oci::Hook>& hooks, std::string_view list,
                   ContainerStatus status);
  void warn_hooks(const std::vector<oci::Hook>& hooks, std::string_view list,
                  ContainerStatus status);
  void reap_child();
  Status cleanup();
  void abandon();
  std::string state_text(ContainerStatus status);
};

std::string Container::Impl::state_text(ContainerStatus status) {
  state.status = status;
  return state_json(state);
}

Status Container::Impl::load() {
  auto bundle = absolute_path(options.bundle, "bundle");
  if (!bundle.ok()) return std::move(bundle).error();
  if (!is_utf8(*bundle))
    return Error("bundle: the path is not UTF-8; the container's state, JSON, cannot hold it");
  struct stat st {};
  if (::stat(bundle->c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Error("bundle " + *bundle + ": not a directory", ENOTDIR);
  auto config_result = oci::load_config(*bundle, &config_text);
  if (!config_result.ok()) return std::move(config_result).error();
  config = std::move(*config_result);
  mark(trace, "parse");

  if (!config.process) return Error("config.json: .process: missing");
  if (config.process->args.empty()) return Error("config.json: .process.args: empty");
  if (auto supported = oci::check_host_support(config); !supported.ok()) return supported;
  if (!options.console_socket.empty() && !config.process->terminal)
    return Error("--console-socket: config.json has process.terminal false: no terminal to send");
  if (mode == Mode::kHeld && config.process->terminal && options.console_socket.empty())
    return Error("process.terminal: a created container needs --console-socket for its terminal");
  std::string root = config.root.path.empty() ? std::string("rootfs") : config.root.path;
  if (root[0] != '/') root = *bundle + "/" + root;
  // A rootfs reached through a symlink is mounted where the link leads, as runc does.
  char resolved[PATH_MAX];
  if (::realpath(root.c_str(), resolved) == nullptr) return Error::from_errno("root.path " + root);
  if (::stat(resolved, &st) != 0 || !S_ISDIR(st.st_mode))
    return Error("root.path " + root + ": not a directory", ENOTDIR);
  config.root.path = resolved;

  state.oci_version = config.oci_version;
  state.id = options.id.empty() ? derived_id(*bundle) : options.id;
  state.bundle = *bundle;
  state.annotations = config.annotations;
  options.bundle = *bundle;
  return {};
}

Status Container::Impl::prepare() {
  auto planned = plan_namespaces(config);
  if (!planned.ok()) return std::move(planned).error().context("config.json");
  plan = std::move(*planned);
  if (!(plan.private_flags & CLONE_NEWNS))
    return Error("config.json: linux.namespaces: launch needs a mount namespace");
  auto opened = open_joins(plan.joins);
  if (!opened.ok()) return std::move(opened).error();
  joins = std::move(*opened);
  auto process_result = process::prepare_process(config, "config.json", seccomp_cache_dir(runtime));
  if (!process_result.ok()) return std::move(process_result).error();
  prepared = std::move(*process_result);
  if (runtime.rootless && !plan.new_user)
    return Error(
        "config.json: linux.namespaces: a rootless container needs a user namespace of "
        "its own (launch spec --rootless writes one)");
  if (!options.no_init) {
    auto path = find_init(options.init_path);
    if (!path.ok()) return std::move(path).error();
    auto memfd = sealed_copy(*path);
    if (!memfd.ok()) return std::move(memfd).error().context("husk");
    init_fd = std::move(*memfd);
  }
  if (trace != nullptr && prepared->seccomp)
    trace->note("seccomp", process::seccomp_source_name(prepared->seccomp_source));
  mark(trace, "prepare");

  auto detected = cgroups::detect();
  if (!detected.ok()) return std::move(detected).error().context("cgroups");
  hierarchy = std::move(*detected);
  resources = container_resources(config, !runtime.rootless);
  // Device rules are eBPF programs or v1 devices files, root's alone; a rootless container has
  // the host's nodes bound, which the caller may open anyway.
  if (runtime.rootless && !resources.devices.empty()) {
    log.debug("rootless: linux.resources.devices left out: device rules need root");
    resources.devices.clear();
  }
  std::string cgroups_path;
  if (config.linux_config) cgroups_path = config.linux_config->cgroups_path.value_or("");
  if (runtime.systemd_cgroup) return prepare_scope(cgroups_path);
  // Recorded before the directories exist: `delete --force` finds them after a killed launch.
  auto paths = cgroups::Cgroup::planned_paths(*hierarchy, cgroups_path, state.id);
  if (!paths.ok()) return std::move(paths).error().context("linux.cgroupsPath");
  record.cgroup_paths = std::move(*paths);
  for (const std::string& path : record.cgroup_paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) record.cgroup_created.push_back(path);
  }
  HUSK_TRY(state_dir->write(record));
  auto made = cgroups::Cgroup::create(*hierarchy, cgroups_path, state.id, resources);
  if (!made.ok()) {
    if (!runtime.rootless || !rootless_may_skip(made.error().errno_value()))
      return std::move(made).error().context("linux.cgroupsPath");
    if (asks_for_limits(resources))
      return std::move(made).error().context(
          "linux.resources: rootless, limits need a cgroup the caller may create (a delegated "
          "cgroup v2 subtree)");
    log.debug("rootless: no cgroup for the container: " + made.error().text());
    record.cgroup_paths.clear();
    record.cgroup_created.clear();
    HUSK_TRY(state_dir->write(record));
  } else {
    cgroup = std::move(*made);
    record.cgroup_created = cgroup->created_paths();  // what create() says it made
    auto entry = cgroup->entry();
    if (!entry.ok()) return std::move(entry).error().context("linux.cgroupsPath");
    cgroup_entry = std::move(*entry);
  }
  HUSK_TRY(injected_fault("cgroup"));
  mark(trace, "cgroup");
  return {};
}

// --systemd-cgroup: the scope's cgroup is recorded as launch's own (delete kills what is in it
// and stops the scope); systemd is asked for the scope once the child exists (start_scope).
Status Container::Impl::prepare_scope(const std::string& cgroups_path) {
  if (hierarchy->layout != cgroups::Layout::kUnified)
    return Error(
        "--systemd-cgroup: the systemd cgroup driver needs a cgroup v2 (unified) host; "
        "this one is " +
        std::string(cgroups::layout_name(hierarchy->layout)));
  auto parsed = systemd::parse_unit_path(cgroups_path, state.id);
  if (!parsed.ok()) return std::move(parsed).error();
  unit = std::move(*parsed);
  auto manager = systemd::Manager::connect();
  if (!manager.ok()) return std::move(manager).error().context("--systemd-cgroup");
  systemd.emplace(std::move(*manager));
  record.cgroup_paths = {hierarchy->unified + unit.cgroup};
  record.cgroup_created = record.cgroup_paths;
  record.systemd_unit = unit.unit;
  HUSK_TRY(state_dir->write(record));
  mark(trace, "cgroup");
  return {};
}

Status Container::Impl::start_scope() {
  auto job = systemd->start_transient_unit(
      unit.unit, systemd::scope_properties(state.id, unit.slice, child, resources));
  if (!job.ok()) return std::move(job).error();
  scope_started = true;  // ours from now on: cleanup() stops it
  HUSK_TRY_CTX(systemd->wait_for_job(*job), "systemd: starting " + unit.unit);
  HUSK_TRY(injected_fault("cgroup"));
  auto opened = cgroups::Cgroup::open_paths(*hierarchy, record.cgroup_paths, record.cgroup_created);
  if (!opened.ok()) return std::move(opened).error().context(unit.unit);
  cgroup = std::move(*opened);
  // Every resource also as files: those systemd has no property for (devices, io, ...).
  HUSK_TRY_CTX(cgroup->update(resources), "linux.resources");
  return {};
}

Status Container::Impl::spawn() {
  auto channel_pair = Channel::create();
  if (!channel_pair.ok()) return std::move(channel_pair).error();
  UniqueFd listener_sink;
  // A created container sends its listener to `launch start`, on the start socket.
  if (prepared->seccomp && prepared->seccomp->new_listener && mode != Mode::kHeld) {
    auto pair = Channel::create();
    if (!pair.ok()) return std::move(pair).error().context("seccomp listener");
    listener = std::move(pair->parent_end());
    listener_sink = std::move(pair->child_end());
  }
  UniqueFd console_sink;
  if (config.process->terminal) {
    auto pair = Channel::create();
    if (!pair.ok()) return std::move(pair).error().context("process.terminal");
    console_receiver = std::move(pair->parent_end());
    console_sink = std::move(pair->child_end());
  }
  ChildPlan child_plan;
  child_plan.config = &config;
  child_plan.namespaces = &plan;
  child_plan.joins = &joins;
  child_plan.process = &*prepared;
  child_plan.rootfs.bundle_dir = options.bundle;
  child_plan.rootfs.no_pivot = options.no_pivot;
  child_plan.rootfs.user_ns = plan.private_flags & CLONE_NEWUSER;
  child_plan.rootfs.net_ns = plan.private_flags & CLONE_NEWNET;
  child_plan.rootfs.cgroup_ns = plan.private_flags & CLONE_NEWCGROUP;
  child_plan.init_fd = init_fd.get();
  std::vector<std::string> init_args = options.init_args;
  // In the foreground the container dies with launch. The parent-death signal the child sets
  // before exec does not survive an exec that raises its capabilities (a bounding set wider
  // than the permitted one); the one husk sets itself after its exec does. As PID 1 of a new
  // pid namespace, husk's SIGKILL ends every process in it. Otherwise its processes would be
  // reparented and live on: husk takes SIGTERM instead, forwards it and stops its whole tree,
  // SIGKILL 10 s later at the latest.
  if (mode == Mode::kForeground) {
    const bool husk_is_pid1 = (plan.clone_flags | plan.unshare_for_children) & CLONE_NEWPID;
    if (husk_is_pid1) {
      init_args.insert(init_args.end(), {"-p", "SIGKILL"});
    } else {
      init_args.insert(init_args.end(), {"-p", "SIGTERM", "-k", "10"});
    }
  }
  child_plan.argv = options.no_init
                        ? config.process->args
                        : init_argv(config.annotations, init_args, config.process->args);
  child_plan.env = config.process->env;
  child_plan.preserve_fds = options.preserve_fds;
  child_plan.signal_mask = signals->original();
  child_plan.channel = channel_pair->child_end().get();
  child_plan.listener_sink = listener_sink.get();
  child_plan.console_sink = console_sink.get();
  child_plan.start_listener = start_listener.get();
  child_plan.close_first = state_dir->lock_fd();
  child_plan.parent_end = channel_pair->parent_end().get();
  child_plan.cgroup = cgroup_entry ? &*cgroup_entry : nullptr;  // none: rootless, or systemd
  // A foreground run whose child needs nothing from launch until it execs. Not `launch create`:
  // its child is held, and its pid is recorded before that; not with --pid-file, which exists
  // before the process starts.
  direct = mode == Mode::kForeground && !plan.new_user && !plan.fork_child && !systemd &&
           !pauses_before_pivot(config.hooks) && config.hooks.start_container.empty() &&
           !config.process->terminal && !listener_sink && options.pid_file.empty();
  child_plan.namespaces_round_trip = !direct;
  child_plan.wait_for_start = !direct;

  mark(trace, "spawn");
  auto pid = spawn_child(child_plan);
  if (!pid.ok()) return std::move(pid).error();
  child = *pid;
  cgroup_entry.reset();
  channel = std::move(channel_pair->parent_end());
  return {};  // the child's ends close here: end-of-file once every child end is gone
}

Error Container::Impl::child_failed(const ChildMessage& message) {
  if (message.stage == ChildStage::kProcess && !message.apply.ok())
    return std::move(
        process::describe_failure(*prepared, message.apply).context(stage_name(message.stage)));
  return describe(message);
}

Result<ChildMessage> Container::Impl::expect(ChildEvent event) {
  auto received = Channel::receive(channel.get());
  if (!received.ok()) return std::move(received).error();
  if (received->eof) {
    int status = 0;
    if (child > 0 && ::waitpid(child, &status, 0) == child) {
      child = 0;
      return Error("the container process exited during set-up with status " +
                   std::to_string(exit_code(status)));
    }
    return Error("the container process exited during set-up");
  }
  if (received->message.event == ChildEvent::kFailed) return child_failed(received->message);
  if (received->message.event != event)
    return Error("the container process sent an unexpected message");
  return received->message;
}

Status Container::Impl::run_hooks(const std::vector<oci::Hook>& hooks, std::string_view list,
                                  ContainerStatus status) {
  if (hooks.empty()) return {};
  return process::run_hooks(hooks, list, state_text(status));
}

void Container::Impl::warn_hooks(const std::vector<oci::Hook>& hooks, std::string_view list,
                                 ContainerStatus status) {
  if (auto done = run_hooks(hooks, list, status); !done.ok()) log.warn(done.error().text());
}

Status Container::Impl::handshake() {
  if (!direct) HUSK_TRY(expect(ChildEvent::kNamespaces));
  if (plan.new_user) HUSK_TRY(write_id_maps(child, *config.linux_config));
  // --systemd-cgroup: systemd moves the child into the scope it makes for it. Otherwise the
  // child is in its cgroup already: it joined before anything else (spawn.h).
  if (systemd) HUSK_TRY_CTX(start_scope(), "adding the container to its cgroup");
  if (plan.fork_child) {
    HUSK_TRY(Channel::send_go(channel.get(), ""));
    if (plan.new_time) {
      HUSK_TRY(expect(ChildEvent::kForChildren));
      HUSK_TRY(write_time_offsets(child, *config.linux_config));
      HUSK_TRY(Channel::send_go(channel.get(), ""));
    }
    auto forked = expect(ChildEvent::kForked);
    if (!forked.ok()) return std::move(forked).error();
    int status = 0;
    ::waitpid(child, &status, 0);  // the forking process exits at once
    child = forked->pid;
  }
  state.pid = child;
  if (auto identity = identify(child); identity.ok()) record.init_start_time = identity->start_time;
  pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, child, 0)));
  // `launch create`: its child outlives a killed create once held; delete --force needs its pid.
  if (mode == Mode::kHeld) HUSK_TRY(state_dir->write(record));
  if (!direct) HUSK_TRY(Channel::send_go(channel.get(), state_text(ContainerStatus::kCreating)));
  if (pauses_before_pivot(config.hooks)) {
    HUSK_TRY(expect(ChildEvent::kMounted));
    HUSK_TRY(run_hooks(config.hooks.prestart, "prestart", ContainerStatus::kCreating));
    HUSK_TRY(run_hooks(config.hooks.create_runtime, "createRuntime", ContainerStatus::kCreating));
    HUSK_TRY(Channel::send_go(channel.get(), ""));
  }
  auto ready = expect(ChildEvent::kReady);
  if (!ready.ok()) return std::move(ready).error();
  if (trace != nullptr) {
    const int64_t* p = ready->phases;
    trace->until("clone", p[kPhaseChildStart]);
    trace->span("namespaces", p[kPhaseChildStart], p[kPhaseNamespaces]);
    trace->span("mounts", p[kPhaseNamespaces], p[kPhaseMounted]);
    trace->span("pivot_root", p[kPhaseMounted], p[kPhaseRootfs]);
    trace->span("finalize", p[kPhaseRootfs], p[kPhaseFinalized]);
    trace->span("process", p[kPhaseFinalized], p[kPhaseProcess]);
    trace->mark("ready");
  }
  return {};
}

// The child sent the master before kReady. Its size is set before the process starts.
Status Container::Impl::take_console() {
  if (!console_receiver) return {};
  std::string path;
  auto master = process::receive_fd(console_receiver.get(), &path);
  if (!master.ok()) return std::move(master).error().context("process.terminal");
  console_receiver.reset();
  console = std::move(*master);
  if (const auto& size = config.process->console_size) {
    HUSK_TRY_CTX(set_window_size(console.get(), {static_cast<uint16_t>(size->height),
                                                 static_cast<uint16_t>(size->width)}),
                 "process.consoleSize");
  } else if (!console_socket && ::isatty(STDIN_FILENO)) {
    auto size = window_size(STDIN_FILENO);
    if (size.ok()) HUSK_TRY_CTX(set_window_size(console.get(), *size), "process.terminal");
  }
  if (console_socket) {
    HUSK_TRY(send_console(console_socket.get(), console.get(), path));
    console.reset();
    console_socket.reset();
    return {};
  }
  if (::isatty(STDIN_FILENO)) {
    auto raw = RawMode::enter(STDIN_FILENO);
    if (!raw.ok()) return std::move(raw).error().context("launch's terminal: raw mode");
    raw_mode.emplace(std::move(*raw));
  }
  return {};
}

void Container::Impl::reap_child() {
  if (child <= 0) return;
  ::kill(child, SIGKILL);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  child = 0;
}

Status Container::Impl::cleanup() {
  Status result;
  // A cgroup launch joined but did not create is left as it is, with whatever is in it.
  if (cgroup && cgroup->created_any()) {
    // Usually empty: the pid namespace died with its PID 1.
    auto left = cgroup->processes(true);
    if (!left.ok() || !left->empty()) {
      // A systemd scope ends, its cgroup removed, as soon as its last process has exited.
      if (auto killed = cgroup->kill(SIGKILL); !killed.ok() && cgroups::any_exists(cgroup->paths()))
        result = std::move(killed);
    }
  }
  if (systemd && scope_started) {  // systemd removes the scope's cgroup
    if (auto stopped = systemd->stop_unit(unit.unit); !stopped.ok() && result.ok())
      result = std::move(stopped);
  }
  if (cgroup && cgroup->created_any()) {
    if (auto gone = cgroup->destroy(); !gone.ok())
      result = std::move(gone).error().context("removing the cgroup");
  }
  cgroup.reset();
  if (state_dir) {
    if (auto removed = state_dir->remove(); !removed.ok() && result.ok()) result = removed;
    state_dir.reset();
  }
  return result;
}

// The error path: nothing of the container may stay.
void Container::Impl::abandon() {
  if (destroyed) return;
  raw_mode.reset();
  reap_child();
  if (auto cleaned = cleanup(); !cleaned.ok()) log.error(cleaned.error().text());
  destroyed = true;
}

Container::Container(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Container::Container(Container&&) noexcept = default;
Container::~Container() = default;

pid_t Container::pid() const { return impl_->child; }
const std::string& Container::id() const { return impl_->state.id; }

Status Container::Impl::make_state_dir() {
  auto dir = StateDir::create(runtime.root, state.id);
  if (!dir.ok()) return std::move(dir).error();
  state_dir.emplace(std::move(*dir));
  record.created_ns = created_ns;
  record.no_init = options.no_init;
  record.foreground = mode == Mode::kForeground;
  // The config as read: start, exec and delete (hooks, the process's defaults) use this copy.
  HUSK_TRY(state_dir->write_file("config.json", config_text));
  config_text = std::string();
  if (mode == Mode::kHeld) {
    UniqueFd listener(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
    if (!listener) return Error::from_errno("start.sock: socket");
    std::string path = state_dir->short_path("start.sock");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) return Error("start.sock: path too long");
    std::copy(path.begin(), path.end(), address.sun_path);
    if (::bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0)
      return Error::from_errno("start.sock: bind");
    if (::listen(listener.get(), 4) != 0) return Error::from_errno("start.sock: listen");
    start_listener = std::move(listener);
  }
  return {};
}

Result<Container> Container::create(const Runtime& runtime, const CreateOptions& options,
                                    Mode mode) {
  auto impl = std::make_unique<Impl>(runtime, mode);
  impl->created_ns = realtime_ns();
  impl->options = options;
  // Signals first: a SIGTERM from now on is taken (forwarded, or it stops create cleanly),
  // never the default action that would leave a state directory and half a cgroup.
  auto blocked = BlockedSignals::block();
  if (!blocked.ok()) return std::move(blocked).error();
  impl->signals.emplace(std::move(*blocked));
  HUSK_TRY(impl->load());
  if (!options.console_socket.empty()) {
    auto socket = connect_console_socket(options.console_socket);
    if (!socket.ok()) return std::move(socket).error();
    impl->console_socket = std::move(*socket);
  }
  HUSK_TRY(impl->make_state_dir());
  HUSK_TRY(impl->prepare());
  HUSK_TRY(impl->spawn());
  impl->start_listener.reset();  // the child holds it now
  HUSK_TRY(impl->handshake());
  HUSK_TRY(impl->take_console());
  impl->state.status = ContainerStatus::kCreated;
  // A direct child is at its exec already: its next record, once it is past it, says
  // "running". Until then the record says "creating" and the directory stays locked, which
  // tells `state` and `list` that the create is at work.
  if (!impl->direct) HUSK_TRY(impl->state_dir->write(impl->record));
  mark(impl->trace, "record");
  if (!options.pid_file.empty())
    HUSK_TRY_CTX(write_file_atomically(options.pid_file, std::to_string(impl->child)),
                 "--pid-file");
  // Other commands (state, kill, exec) may look at a foreground container from now on.
  if (mode == Mode::kForeground && !impl->direct) impl->state_dir->unlock();
  return Container(std::move(impl));
}

Status Container::release() {
  Impl& c = *impl_;
  // A stop asked for while create ran ends the create, not the container's later life.
  pollfd pending{c.signals->fd(), POLLIN, 0};
  while (::poll(&pending, 1, 0) == 1) {
    int sig = c.signals->take();
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)
      return Error(std::string("create: stopped by ") + ::sigabbrev_np(sig));
  }
  c.state_dir->keep();
  c.state_dir.reset();  // the lock goes with it
  c.channel.reset();
  c.child = 0;  // the caller reaps it
  c.cgroup.reset();
  c.destroyed = true;
  return {};
}

Status Container::start() {
  Impl& c = *impl_;
  if (!c.direct)
    HUSK_TRY(Channel::send_go(c.channel.get(), c.state_text(ContainerStatus::kCreated)));
  if (c.listener) {
    auto fd = process::receive_fd(c.listener.get());
    if (!fd.ok()) {
      // A child that failed before loading its filter says why on the channel.
      auto received = Channel::receive(c.channel.get());
      if (received.ok() && !received->eof) return c.child_failed(received->message);
      return std::move(fd).error().context("linux.seccomp: the SCMP_ACT_NOTIFY listener");
    }
    HUSK_TRY(process::hand_listener_to_agent(*c.prepared->seccomp, c.listener.get(), fd->get(),
                                             c.child, c.state_text(ContainerStatus::kCreated)));
  }
  // End-of-file: the exec closed the child's end.
  auto received = Channel::receive(c.channel.get());
  if (!received.ok()) return std::move(received).error();
  if (!received->eof) return c.child_failed(received->message);
  c.channel.reset();
  mark(c.trace, "exec");
  c.state.status = ContainerStatus::kRunning;
  HUSK_TRY(c.state_dir->write(c.record));
  if (c.direct) c.state_dir->unlock();
  // runtime-spec 1.3: a failing poststart hook fails start; the caller's error path kills the
  // container.
  HUSK_TRY(c.run_hooks(c.config.hooks.poststart, "poststart", ContainerStatus::kRunning));
  return {};
}

Result<int> Container::wait() {
  Impl& c = *impl_;
  auto code = c.console ? relay_console(c.console.get(), STDIN_FILENO, STDOUT_FILENO, *c.signals,
                                        c.child, c.pidfd.get())
                        : c.signals->forward_until_exit(c.child, c.pidfd.get());
  c.raw_mode.reset();
  c.console.reset();
  if (code.ok()) c.child = 0;
  mark(c.trace, "run");
  c.state.status = ContainerStatus::kStopped;
  c.state.pid = 0;
  return code;
}

Status Container::destroy() {
  Impl& c = *impl_;
  c.reap_child();
  Status cleaned = c.cleanup();
  c.destroyed = true;
  c.warn_hooks(c.config.hooks.poststop, "poststop", ContainerStatus::kStopped);
  mark(c.trace, "delete");
  if (c.log.debug_enabled()) {
    rusage self{}, children{};
    ::getrusage(RUSAGE_SELF, &self);
    ::getrusage(RUSAGE_CHILDREN, &children);
    c.log.debug("peak rss: launch=" + std::to_string(self.ru_maxrss) +
                "KiB children=" + std::to_string(children.ru_maxrss) + "KiB");
  }
  return cleaned;
}

}  // namespace husk::launch
