// The verb table's handlers: parse, call the operation, print.
#include <seccomp.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/parser.h"
#include "cli/verbs.h"
#include "container/create.h"
#include "container/delete.h"
#include "container/events.h"
#include "container/exec.h"
#include "container/features.h"
#include "container/query.h"
#include "container/run.h"
#include "container/signal.h"
#include "container/spec.h"
#include "container/start.h"
#include "container/update.h"
#include "json_text.h"
#include "read_file.h"

namespace husk::launch::cli {

void print(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

namespace {

Result<Parsed> parse(std::string_view verb, Args args, std::span<const Option> options,
                     Positionals positionals = Positionals::kInterleaved) {
  auto parsed = parse_options(verb, args, options, positionals);
  if (!parsed.ok()) return usage_error(std::move(parsed).error().message());
  if (parsed->help) {
    print(find_verb(verb)->help);
    return parsed;
  }
  return parsed;
}

// Exactly one positional: the container ID.
Result<std::string> one_id(std::string_view verb, const Parsed& parsed) {
  if (parsed.positional.empty()) return usage_error(std::string(verb) + ": missing container ID");
  if (parsed.positional.size() > 1)
    return usage_error(std::string(verb) + ": unexpected argument \"" +
                       json_escape(parsed.positional[1]) + "\"");
  return parsed.positional[0];
}

#define HUSK_PARSE(parsed, verb, args, options, ...)       \
  auto parsed = parse(verb, args, options, ##__VA_ARGS__); \
  if (!parsed.ok()) return std::move(parsed).error();      \
  if (parsed->help) return 0

#define HUSK_ID(id, verb, parsed)                               \
  auto id##_result = one_id(verb, *(parsed));                   \
  if (!id##_result.ok()) return std::move(id##_result).error(); \
  const std::string id = *id##_result

// create's options, shared with run and the bundle form.
std::vector<Option> create_options(CreateOptions& o) {
  return {value("--bundle", "-b", o.bundle),
          value("--pid-file", "", o.pid_file),
          value("--console-socket", "", o.console_socket),
          flag("--no-pivot", "", o.no_pivot),
          flag("--no-new-keyring", "", o.no_new_keyring),
          count("--preserve-fds", "", o.preserve_fds),
          flag("--no-init", "", o.no_init),
          repeated("--init-arg", "", o.init_args),
          value("--init-path", "", o.init_path)};
}

Result<int> create_verb(const Runtime& runtime, Args args) {
  CreateOptions options;
  auto table = create_options(options);
  HUSK_PARSE(parsed, "create", args, table);
  HUSK_ID(id, "create", parsed);
  options.id = id;
  HUSK_TRY(check_preserved_fds(options.preserve_fds));
  HUSK_TRY(create(runtime, options));
  return 0;
}

Result<int> run_verb(const Runtime& runtime, Args args) {
  RunOptions options;
  auto table = create_options(options.create);
  table.push_back(flag("--detach", "-d", options.detach));
  HUSK_PARSE(parsed, "run", args, table);
  HUSK_ID(id, "run", parsed);
  options.create.id = id;
  HUSK_TRY(check_preserved_fds(options.create.preserve_fds));
  return run(runtime, options);
}

Result<int> start_verb(const Runtime& runtime, Args args) {
  HUSK_PARSE(parsed, "start", args, std::span<const Option>());
  HUSK_ID(id, "start", parsed);
  HUSK_TRY(start(runtime, id));
  return 0;
}

Result<int> state_verb(const Runtime& runtime, Args args) {
  HUSK_PARSE(parsed, "state", args, std::span<const Option>());
  HUSK_ID(id, "state", parsed);
  auto state = query_state(runtime, id);
  if (!state.ok()) return std::move(state).error();
  print(nlohmann::json::parse(state_json(*state)).dump(2) + "\n");
  return 0;
}

Result<int> list_verb(const Runtime& runtime, Args args) {
  std::string format = "table";
  bool quiet = false;
  Option table[] = {value("--format", "-f", format), flag("--quiet", "-q", quiet)};
  HUSK_PARSE(parsed, "list", args, table);
  if (!parsed->positional.empty())
    return usage_error("list: unexpected argument \"" + json_escape(parsed->positional[0]) + "\"");
  if (format != "table" && format != "json")
    return usage_error("list: --format: expected table or json, got \"" + json_escape(format) +
                       "\"");
  auto entries = list_containers(runtime);
  if (!entries.ok()) return std::move(entries).error();
  std::string out;
  if (quiet) {
    for (const auto& entry : *entries) out += entry.state.id + "\n";
  } else if (format == "json") {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& entry : *entries)
      all.push_back(nlohmann::json::parse(state_json(entry.state)));
    out = all.dump() + "\n";
  } else {
    out = "ID\tPID\tSTATUS\tBUNDLE\n";
    for (const auto& entry : *entries) {
      out += entry.state.id + "\t" + std::to_string(entry.state.pid) + "\t" +
             std::string(status_name(entry.state.status)) + "\t" + entry.state.bundle + "\n";
    }
  }
  print(out);
  return 0;
}

Result<int> ps_verb(const Runtime& runtime, Args args) {
  std::string format = "table";
  Option table[] = {value("--format", "-f", format)};
  HUSK_PARSE(parsed, "ps", args, table, Positionals::kFirstEndsOptions);
  if (parsed->positional.empty()) return usage_error("ps: missing container ID");
  if (format != "table" && format != "json")
    return usage_error("ps: --format: expected table or json, got \"" + json_escape(format) + "\"");
  if (parsed->positional.size() > 1) {  // runc's `ps ID ARGS...`: the host's ps, filtered
    auto table = ps_table(runtime, parsed->positional[0],
                          {parsed->positional.begin() + 1, parsed->positional.end()});
    if (!table.ok()) return std::move(table).error();
    print(*table);
    return 0;
  }
  auto pids = container_processes(runtime, parsed->positional[0]);
  if (!pids.ok()) return std::move(pids).error();
  std::string out;
  if (format == "json") {
    out = nlohmann::json(*pids).dump() + "\n";
  } else {
    out = "PID\tCMD\n";
    for (pid_t pid : *pids) {
      std::string cmdline;
      if (auto text = oci::read_file("/proc/" + std::to_string(pid) + "/cmdline"); text.ok()) {
        cmdline = *text;
        for (char& c : cmdline) c = c == '\0' ? ' ' : c;
        while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
      }
      out += std::to_string(pid) + "\t" + json_escape(cmdline) + "\n";
    }
  }
  print(out);
  return 0;
}

Result<int> kill_verb(const Runtime& runtime, Args args) {
  KillOptions options;
  Option table[] = {flag("--all", "-a", options.all)};
  HUSK_PARSE(parsed, "kill", args, table);
  if (parsed->positional.empty()) return usage_error("kill: missing container ID");
  if (parsed->positional.size() > 2)
    return usage_error("kill: unexpected argument \"" + json_escape(parsed->positional[2]) + "\"");
  options.id = parsed->positional[0];
  if (parsed->positional.size() == 2) {
    auto sig = parse_signal(parsed->positional[1]);
    if (!sig.ok()) return usage_error("kill: " + sig.error().message());
    options.signal = *sig;
  }
  HUSK_TRY(kill(runtime, options));
  return 0;
}

Result<int> delete_verb(const Runtime& runtime, Args args) {
  DeleteOptions options;
  Option table[] = {flag("--force", "-f", options.force)};
  HUSK_PARSE(parsed, "delete", args, table);
  HUSK_ID(id, "delete", parsed);
  options.id = id;
  HUSK_TRY(remove(runtime, options));
  return 0;
}

Result<int> pause_verb(const Runtime& runtime, Args args) {
  HUSK_PARSE(parsed, "pause", args, std::span<const Option>());
  HUSK_ID(id, "pause", parsed);
  HUSK_TRY(pause(runtime, id));
  return 0;
}

Result<int> resume_verb(const Runtime& runtime, Args args) {
  HUSK_PARSE(parsed, "resume", args, std::span<const Option>());
  HUSK_ID(id, "resume", parsed);
  HUSK_TRY(resume(runtime, id));
  return 0;
}

Result<int> exec_verb(const Runtime& runtime, Args args) {
  ExecOptions o;
  Option table[] = {value("--process", "-p", o.process_file),
                    repeated("--env", "-e", o.env),
                    value("--cwd", "", o.cwd),
                    value("--user", "-u", o.user),
                    repeated("--cap", "-c", o.caps),
                    flag("--tty", "-t", o.tty),
                    flag("--detach", "-d", o.detach),
                    value("--pid-file", "", o.pid_file),
                    value("--console-socket", "", o.console_socket),
                    count("--preserve-fds", "", o.preserve_fds),
                    flag("--no-new-privs", "", o.no_new_privs),
                    repeated("--additional-gids", "-g", o.additional_gids),
                    value("--apparmor", "", o.apparmor),
                    value("--process-label", "", o.process_label)};
  HUSK_PARSE(parsed, "exec", args, table, Positionals::kFirstEndsOptions);
  if (parsed->positional.empty()) return usage_error("exec: missing container ID");
  o.id = parsed->positional[0];
  o.args.assign(parsed->positional.begin() + 1, parsed->positional.end());
  if (o.process_file.empty() && o.args.empty())
    return usage_error("exec: missing the command (ARGS or --process FILE)");
  if (!o.process_file.empty() && !o.args.empty())
    return usage_error("exec: --process and ARGS both given; use one");
  HUSK_TRY(check_preserved_fds(o.preserve_fds));
  return exec(runtime, o);
}

Result<int> spec_verb(const Runtime& /*runtime*/, Args args) {
  SpecOptions options;
  Option table[] = {value("--bundle", "-b", options.bundle),
                    flag("--rootless", "", options.rootless)};
  HUSK_PARSE(parsed, "spec", args, table);
  if (!parsed->positional.empty())
    return usage_error("spec: unexpected argument \"" + json_escape(parsed->positional[0]) + "\"");
  HUSK_TRY(write_default_spec(options));
  return 0;
}

Result<int> features_verb(const Runtime& /*runtime*/, Args args) {
  HUSK_PARSE(parsed, "features", args, std::span<const Option>());
  print(features_json() + "\n");
  return 0;
}

// A byte count: digits with an optional k, m, g or t (powers of 1024; runc's RAMInBytes), or -1.
Result<int64_t> parse_bytes(std::string_view name, std::string_view text) {
  const std::string original(text);
  if (text == "-1") return -1;
  int64_t multiplier = 1;
  if (!text.empty() && (text.back() == 'b' || text.back() == 'B')) text.remove_suffix(1);
  if (!text.empty()) {
    switch (text.back() | 0x20) {
      case 'k':
        multiplier = int64_t{1} << 10;
        break;
      case 'm':
        multiplier = int64_t{1} << 20;
        break;
      case 'g':
        multiplier = int64_t{1} << 30;
        break;
      case 't':
        multiplier = int64_t{1} << 40;
        break;
      default:
        multiplier = 0;
    }
    if (multiplier != 0) text.remove_suffix(1);
    if (multiplier == 0) multiplier = 1;
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value < 0 ||
      value > INT64_MAX / multiplier)
    return Error(std::string(name) + ": expected a size (bytes, or with k, m, g, t), got \"" +
                 json_escape(original) + "\"");
  return value * multiplier;
}

Result<int64_t> parse_integer(std::string_view name, std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty())
    return Error(std::string(name) + ": expected an integer, got \"" + json_escape(text) + "\"");
  return value;
}

Result<int> update_verb(const Runtime& runtime, Args args) {
  UpdateOptions o;
  cgroups::Resources& r = o.flags;
  auto memory = [&r]() -> cgroups::MemoryLimits& {
    if (!r.memory) r.memory.emplace();
    return *r.memory;
  };
  auto cpu = [&r]() -> cgroups::CpuLimits& {
    if (!r.cpu) r.cpu.emplace();
    return *r.cpu;
  };
  auto bytes = [](std::string_view name, auto set) {
    return Option{name, "", true, [name, set](std::string_view text) -> Status {
                    auto value = parse_bytes(name, text);
                    if (!value.ok()) return std::move(value).error();
                    set(*value);
                    return {};
                  }};
  };
  auto integer = [](std::string_view name, auto set) {
    return Option{name, "", true, [name, set](std::string_view text) -> Status {
                    auto value = parse_integer(name, text);
                    if (!value.ok()) return std::move(value).error();
                    set(*value);
                    return {};
                  }};
  };
  auto text = [](std::string_view name, auto set) {
    return Option{name, "", true, [set](std::string_view value) -> Status {
                    set(std::string(value));
                    return {};
                  }};
  };
  Option table[] = {
      value("--resources", "-r", o.resources_file),
      bytes("--memory", [&](int64_t v) { memory().limit = v; }),
      bytes("--memory-reservation", [&](int64_t v) { memory().reservation = v; }),
      bytes("--memory-swap", [&](int64_t v) { memory().swap = v; }),
      integer("--cpu-shares", [&](int64_t v) { cpu().shares = static_cast<uint64_t>(v); }),
      integer("--cpu-quota", [&](int64_t v) { cpu().quota = v; }),
      integer("--cpu-period", [&](int64_t v) { cpu().period = static_cast<uint64_t>(v); }),
      integer("--cpu-rt-runtime", [&](int64_t v) { cpu().realtime_runtime = v; }),
      integer("--cpu-rt-period",
              [&](int64_t v) { cpu().realtime_period = static_cast<uint64_t>(v); }),
      text("--cpuset-cpus", [&](std::string v) { cpu().cpus = std::move(v); }),
      text("--cpuset-mems", [&](std::string v) { cpu().mems = std::move(v); }),
      integer("--pids-limit", [&](int64_t v) { r.pids = cgroups::PidsLimit{v}; }),
      integer("--blkio-weight",
              [&](int64_t v) {
                if (!r.block_io) r.block_io.emplace();
                r.block_io->weight = static_cast<uint16_t>(v);
              }),
  };
  HUSK_PARSE(parsed, "update", args, table);
  HUSK_ID(id, "update", parsed);
  o.id = id;
  HUSK_TRY(update(runtime, o));
  return 0;
}
// A duration: "5s", "500ms", "1m", or seconds alone.
Result<int> parse_interval(std::string_view text) {
  int64_t scale = 1000;
  std::string_view number = text;
  for (auto [suffix, ms] :
       {std::pair<std::string_view, int64_t>{"ms", 1}, {"s", 1000}, {"m", 60000}}) {
    if (number.size() > suffix.size() && number.substr(number.size() - suffix.size()) == suffix) {
      number.remove_suffix(suffix.size());
      scale = ms;
      break;
    }
  }
  int64_t value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || value <= 0 ||
      value * scale > INT32_MAX)
    return Error("--interval: expected a duration such as 5s or 500ms, got \"" + json_escape(text) +
                 "\"");
  return static_cast<int>(value * scale);
}

Result<int> events_verb(const Runtime& runtime, Args args) {
  EventsOptions o;
  std::string interval;
  Option table[] = {flag("--stats", "", o.stats_once), value("--interval", "", interval)};
  HUSK_PARSE(parsed, "events", args, table);
  HUSK_ID(id, "events", parsed);
  o.id = id;
  if (!interval.empty()) {
    auto ms = parse_interval(interval);
    if (!ms.ok()) return usage_error(std::move(ms).error().message());
    o.interval_ms = *ms;
  }
  HUSK_TRY(events(runtime, o, [](const std::string& line) { print(line + "\n"); }));
  return 0;
}

constexpr std::string_view kCreateHelp = R"(Usage: launch [global options] create [options] ID

Sets the container up and holds its process before exec until `launch start ID`; then exits.
The state says "created"; the caller (its parent or a subreaper) reaps the container's process.

  -b, --bundle DIR        the bundle (default: the current directory)
  --pid-file FILE         write the container's init pid (host view) to FILE
  --console-socket PATH   send the terminal's master fd to the AF_UNIX socket PATH
                          (process.terminal: true needs it)
  --no-pivot              move the root instead of pivot_root (ramfs roots)
  --no-new-keyring        accepted: launch makes no session keyring
  --preserve-fds N        pass fds 3 .. 3+N-1 into the container
  --no-init               exec process.args as PID 1, without husk
  --init-arg ARG          pass ARG to husk (repeatable)
  --init-path FILE        the husk binary to use
)";

constexpr std::string_view kRunHelp = R"(Usage: launch [global options] run [options] ID

create + start + wait + delete in the foreground: launch forwards its signals (and relays the
terminal with process.terminal) and exits with the container's status (128+N for signal N).
The container dies with launch. With --detach: create + start, and launch exits at once.

  -d, --detach            create and start, then exit
  (and every option of create: launch create --help)
)";

constexpr std::string_view kStartHelp = R"(Usage: launch [global options] start ID

Starts a created container: the startContainer hooks run in it, its process execs, then the
poststart hooks run (a failing one fails start and kills the container).
)";

constexpr std::string_view kStateHelp = R"(Usage: launch [global options] state ID

Prints the container's OCI state (ociVersion, id, status, pid, bundle, annotations) as JSON.
)";

constexpr std::string_view kListHelp = R"(Usage: launch [global options] list [options]

Lists the containers below --root.
  -f, --format table|json
  -q, --quiet             the IDs only
)";

constexpr std::string_view kPsHelp =
    R"(Usage: launch [global options] ps [--format table|json] ID [PS ARGS...]

Lists the processes of the container's cgroup (host pids); of a rootless container without a
cgroup, those of its pid namespace. With PS ARGS (say `-- -ef`): the host's `ps PS ARGS...`,
its header and the rows of the container's processes.
)";

constexpr std::string_view kKillHelp = R"(Usage: launch [global options] kill [--all] ID [SIGNAL]

Sends SIGNAL (default TERM; 9, KILL and SIGKILL all name SIGKILL) to the container's init,
through a pidfd checked against the init's start time. -a, --all: to every process of its
cgroup.
)";

constexpr std::string_view kDeleteHelp = R"(Usage: launch [global options] delete [--force] ID

Removes a stopped (or created) container: what is left in its cgroup, poststop hooks, the
cgroup, the state. -f, --force: a running or paused one too (killed first); an unknown ID is
then no error.
)";

constexpr std::string_view kPauseHelp = R"(Usage: launch [global options] pause ID

Freezes every process of the container (the cgroup freezer).
)";

constexpr std::string_view kResumeHelp = R"(Usage: launch [global options] resume ID

Thaws a paused container.
)";

constexpr std::string_view kExecHelp = R"(Usage: launch [global options] exec [options] ID [ARGS...]

Runs a process in the container: its namespaces (joined by fd), its cgroup, and its security
settings (capabilities, noNewPrivileges, seccomp, rlimits, user). The defaults come from the
container's process (config.json). In the foreground launch relays signals (and the terminal
with --tty) and exits with the process's status.

  -p, --process FILE      the process as runtime-spec JSON (process.json) instead of ARGS
  -e, --env NAME=VALUE    add to the environment (repeatable)
  --cwd DIR               the working directory
  -u, --user UID[:GID]    the user
  -g, --additional-gids G add a supplementary group (repeatable)
  -c, --cap CAP           add a capability (repeatable)
  -t, --tty               a terminal
  --no-new-privs          set noNewPrivileges
  -d, --detach            write the pid file and exit at once
  --pid-file FILE         write the process's pid (host view) to FILE
  --console-socket PATH   send the terminal's master fd to the AF_UNIX socket PATH
  --preserve-fds N        pass fds 3 .. 3+N-1 into the process
  --apparmor, --process-label
                          refused: launch supports neither AppArmor nor SELinux
)";

constexpr std::string_view kSpecHelp =
    R"(Usage: launch [global options] spec [--rootless] [--bundle DIR]

Writes a default config.json into the bundle (refusing to replace one). --rootless: for a
user who is not root, as runc's: a user namespace mapping the caller's uid and gid to root, no
network namespace (/sys bound from the host), no device cgroup rules.
)";

constexpr std::string_view kFeaturesHelp = R"(Usage: launch [global options] features

Prints the runtime-spec features document: what launch supports.
)";

constexpr std::string_view kUpdateHelp = R"(Usage: launch [global options] update [options] ID

Changes the resource limits of a created, running or paused container's cgroup.

  -r, --resources FILE    a linux.resources object as JSON ("-": stdin)
  --memory SIZE, --memory-reservation SIZE, --memory-swap SIZE
                          bytes, or with k, m, g, t; -1: unlimited
  --cpu-shares N, --cpu-quota N, --cpu-period N, --cpu-rt-runtime N, --cpu-rt-period N
  --cpuset-cpus LIST, --cpuset-mems LIST
  --pids-limit N          <= 0: unlimited
  --blkio-weight N
The flags apply over the file's values.
)";

constexpr std::string_view kEventsHelp = R"(Usage: launch [global options] events [options] ID

Prints the container's statistics (cpu, memory, pids, blkio, from its cgroup) as runc's JSON
event lines, and an {"type":"oom"} line when the OOM killer killed in it, until it stops.

  --stats                 one statistics line, then exit
  --interval D            between statistics lines (default 5s; 500ms, 1m, ...)
)";

constexpr Verb kVerbs[] = {
    {"create", "set a container up, held before exec", kCreateHelp, create_verb},
    {"start", "start a created container", kStartHelp, start_verb},
    {"run", "create, start, wait for and delete a container", kRunHelp, run_verb},
    {"exec", "run a process in a container", kExecHelp, exec_verb},
    {"state", "print a container's state", kStateHelp, state_verb},
    {"list", "list the containers", kListHelp, list_verb},
    {"ps", "list a container's processes", kPsHelp, ps_verb},
    {"kill", "signal a container", kKillHelp, kill_verb},
    {"delete", "remove a container", kDeleteHelp, delete_verb},
    {"pause", "freeze a container", kPauseHelp, pause_verb},
    {"resume", "thaw a paused container", kResumeHelp, resume_verb},
    {"update", "change a container's resource limits", kUpdateHelp, update_verb},
    {"events", "print a container's statistics and OOM events", kEventsHelp, events_verb},
    {"features", "print what launch supports", kFeaturesHelp, features_verb},
    {"spec", "write a default config.json", kSpecHelp, spec_verb},
};

}  // namespace

std::span<const Verb> verbs() { return kVerbs; }

const Verb* find_verb(std::string_view name) {
  for (const Verb& verb : kVerbs) {
    if (verb.name == name) return &verb;
  }
  return nullptr;
}

Result<size_t> parse_globals(Args args, GlobalOptions& global) {
  std::string format;
  Option table[] = {value("--root", "", global.root),
                    value("--log", "", global.log),
                    value("--log-format", "", format),
                    flag("--debug", "", global.debug),
                    flag("--systemd-cgroup", "", global.systemd_cgroup),
                    value("--rootless", "", global.rootless)};
  size_t i = 0;
  while (i < args.size()) {
    std::string_view word = args[i];
    size_t eq = word.find('=');
    std::string_view name = word.substr(0, eq);
    const Option* found = nullptr;
    for (const Option& option : table) {
      if (option.name == name) found = &option;
    }
    if (found == nullptr) break;
    std::string_view text;
    if (eq != std::string_view::npos) {
      if (!found->takes_value) return usage_error(std::string(name) + " takes no value");
      text = word.substr(eq + 1);
    } else if (found->takes_value) {
      if (++i >= args.size()) return usage_error(std::string(name) + ": missing value");
      text = args[i];
    }
    HUSK_TRY(found->apply(text));
    ++i;
  }
  if (!format.empty()) {
    if (format == "text") {
      global.log_format = LogFormat::kText;
    } else if (format == "json") {
      global.log_format = LogFormat::kJson;
    } else {
      return usage_error("--log-format: expected text or json, got \"" + json_escape(format) +
                         "\"");
    }
  }
  if (global.rootless != "auto" && global.rootless != "true" && global.rootless != "false")
    return usage_error("--rootless: expected auto, true or false, got \"" +
                       json_escape(global.rootless) + "\"");
  return i;
}

Result<std::string> state_root(const std::string& root, bool rootless, const char* runtime_dir) {
  if (!root.empty()) return root;
  if (!rootless) return std::string(kDefaultStateRoot);
  if (runtime_dir == nullptr || runtime_dir[0] != '/')
    return Error(
        "rootless: XDG_RUNTIME_DIR is not set to an absolute path: set it, or give --root DIR");
  return std::string(runtime_dir) + "/launch";
}

Result<int> run_bundle(const Runtime& runtime, Args args) {
  RunOptions options;
  GlobalOptions ignored;
  auto table = create_options(options.create);
  // The globals were taken before; any that follow the run options are taken (and were
  // already applied by main) here too.
  for (Option option : {value("--root", "", ignored.root), value("--log", "", ignored.log),
                        value("--log-format", "", ignored.log), flag("--debug", "", ignored.debug)})
    table.push_back(std::move(option));
  auto parsed = parse_options("launch", args, table, Positionals::kInterleaved);
  if (!parsed.ok()) return usage_error(std::move(parsed).error().message());
  if (parsed->positional.empty())
    return usage_error("missing bundle or command (see launch --help)");
  if (parsed->positional.size() > 1)
    return usage_error("unexpected argument \"" + json_escape(parsed->positional[1]) + "\"");
  options.create.bundle = parsed->positional[0];
  HUSK_TRY(check_preserved_fds(options.create.preserve_fds));
  return run(runtime, options);
}

std::string usage() {
  std::string text = R"(Usage: launch [global options] COMMAND [options] [ID]
       launch [global options] [run options] BUNDLE

launch is an OCI runtime with husk as the container's PID 1, driven as runc is:
create (set up, held) -> start -> exec / ps / kill / pause / resume -> delete; or run
(create + start + wait + delete in the foreground). `launch BUNDLE` (a path: it holds a '/')
runs the bundle in the foreground under a generated ID.

Commands:
)";
  for (const Verb& verb : kVerbs) {
    std::string name(verb.name);
    name.resize(10, ' ');
    text += "  " + name + std::string(verb.summary) + "\n";
  }
  text += R"(
Global options:
  --root DIR          state directory root (default /run/husk; rootless: $XDG_RUNTIME_DIR/launch)
  --log FILE          also write the log (errors included) to FILE
  --log-format FMT    text (default) or json (runc's {"level","msg","time"} lines)
  --debug             log each step, with timings
  --systemd-cgroup    the container's cgroup is a transient systemd scope (cgroupsPath
                      "slice:prefix:name"; cgroup v2 hosts with systemd as PID 1)
  --rootless MODE     auto (default: rootless when not root), true or false. Rootless: the
                      config's user namespace maps the caller's own uid and gid (more ranges
                      through newuidmap/newgidmap), no cgroup when none can be made and the
                      config asks for no resources, or a delegated cgroup v2 subtree
  -h, --help, -v, --version

launch COMMAND --help describes each command.
)";
  return text;
}

std::string version_text(std::string_view version, std::string_view commit) {
  const scmp_version* seccomp = seccomp_version();
  return "launch version " + std::string(version) + "\ncommit: " + std::string(commit) +
         "\nspec: 1.2.0\nlibseccomp: " + std::to_string(seccomp->major) + "." +
         std::to_string(seccomp->minor) + "." + std::to_string(seccomp->micro) + "\n";
}

}  // namespace husk::launch::cli
