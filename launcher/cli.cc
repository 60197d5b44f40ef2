#include "cli.h"

#include <charconv>
#include <optional>

namespace husk::launch {
namespace {

constexpr std::string_view kUsage =
    R"(Usage: launch [global options] BUNDLE
       launch [global options] run [options] ID
       launch [global options] spec [--rootless] [--bundle DIR]

Runs an OCI bundle in the foreground with husk as the container's PID 1. launch exits with the
container's status (128+N when it was killed by signal N).

With process.terminal: true the container gets a pseudo-terminal (also its /dev/console) and
launch relays it to its own stdin and stdout, its terminal in raw mode meanwhile; the size
comes from process.consoleSize, else from launch's terminal (and follows it on SIGWINCH).
With --console-socket the terminal goes to the listener on that socket instead.

Global options:
  --root DIR          state directory root (default /run/husk)
  --log FILE          write the log to FILE instead of stderr
  --log-format FMT    text (default) or json
  --debug             log each step, with timings
  --help, --version

run options:
  --bundle DIR        the bundle (default: the current directory)
  --no-pivot          move the root instead of pivot_root (ramfs roots)
  --no-init           exec process.args as PID 1, without husk
  --init-arg ARG      pass ARG to husk (repeatable)
  --init-path FILE    the husk binary to use
  --preserve-fds N    pass fds 3 .. 3+N-1 into the container
  --pid-file FILE     write the container's PID 1 (host view) to FILE
  --console-socket PATH
                      send the terminal's master fd to the AF_UNIX socket PATH (SCM_RIGHTS)
                      instead of relaying it; needs process.terminal: true
)";

// Walks argv; options take their value as the next word or after '='.
class Cursor {
 public:
  explicit Cursor(std::span<const std::string_view> args) : args_(args) {}
  bool done() const { return i_ >= args_.size(); }
  std::string_view peek() const { return args_[i_]; }
  std::string_view next() { return args_[i_++]; }

  // If the current word is `name` or `name=...`, consumes it (and its value) into `value`.
  Result<bool> value_option(std::string_view name, std::string& value) {
    std::string_view word = peek();
    if (word.substr(0, name.size()) != name) return false;
    std::string_view rest = word.substr(name.size());
    if (rest.empty()) {
      ++i_;
      if (done()) return Error(std::string(name) + ": missing value");
      value = next();
      return true;
    }
    if (rest[0] != '=') return false;
    value = rest.substr(1);
    ++i_;
    return true;
  }

  bool flag(std::string_view name, bool& value) {
    if (peek() != name) return false;
    value = true;
    ++i_;
    return true;
  }

 private:
  std::span<const std::string_view> args_;
  size_t i_ = 0;
};

// Parses one global option at the cursor. Returns false when the word is not one.
Result<bool> global_option(Cursor& cursor, GlobalOptions& global) {
  std::string format;
  for (auto [name, target] : {std::pair{"--root", &global.root}, {"--log", &global.log}}) {
    auto taken = cursor.value_option(name, *target);
    if (!taken.ok() || *taken) return taken;
  }
  auto taken = cursor.value_option("--log-format", format);
  if (!taken.ok()) return taken;
  if (*taken) {
    if (format == "text") {
      global.log_format = LogFormat::kText;
    } else if (format == "json") {
      global.log_format = LogFormat::kJson;
    } else {
      return Error("--log-format: expected text or json, got \"" + format + "\"");
    }
    return true;
  }
  return cursor.flag("--debug", global.debug);
}

Result<int> parse_count(std::string_view name, std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return Error(std::string(name) + ": expected a non-negative integer, got \"" +
                 std::string(text) + "\"");
  return value;
}

// `run [options] ID` takes the ID as its one positional argument; `launch [options] BUNDLE
// [options]` the bundle.
enum class Positional { kId, kBundle };

Status parse_run(Cursor& cursor, GlobalOptions& global, RunOptions& run, Positional what) {
  auto in_run = [what](Error error) -> Error {
    return what == Positional::kId ? std::move(error).context("run") : std::move(error);
  };
  std::vector<std::string_view> positional;
  while (!cursor.done()) {
    auto global_taken = global_option(cursor, global);
    if (!global_taken.ok()) return in_run(std::move(global_taken).error());
    if (*global_taken) continue;
    std::string value;
    bool taken = cursor.flag("--no-pivot", run.no_pivot) || cursor.flag("--no-init", run.no_init);
    if (taken) continue;
    for (auto [name, target] : {std::pair{"--bundle", &run.bundle},
                                {"--pid-file", &run.pid_file},
                                {"--init-path", &run.init_path},
                                {"--console-socket", &run.console_socket}}) {
      auto got = cursor.value_option(name, *target);
      if (!got.ok()) return in_run(std::move(got).error());
      if ((taken = *got)) break;
    }
    if (taken) continue;
    auto got = cursor.value_option("--init-arg", value);
    if (!got.ok()) return in_run(std::move(got).error());
    if (*got) {
      run.init_args.push_back(value);
      continue;
    }
    got = cursor.value_option("--preserve-fds", value);
    if (!got.ok()) return in_run(std::move(got).error());
    if (*got) {
      auto count = parse_count("--preserve-fds", value);
      if (!count.ok()) return in_run(std::move(count).error());
      run.preserve_fds = *count;
      continue;
    }
    std::string_view word = cursor.next();
    if (word.size() > 1 && word[0] == '-')
      return in_run(Error("unknown option " + std::string(word)));
    positional.push_back(word);
  }
  if (positional.empty())
    return Error(what == Positional::kId ? "run: missing container ID"
                                         : "missing bundle or command (see launch --help)");
  if (positional.size() > 1)
    return Error("unexpected argument \"" + std::string(positional[1]) + "\"");
  (what == Positional::kId ? run.id : run.bundle) = positional[0];
  return {};
}

Status parse_spec(Cursor& cursor, GlobalOptions& global, SpecOptions& spec) {
  while (!cursor.done()) {
    auto global_taken = global_option(cursor, global);
    if (!global_taken.ok()) return std::move(global_taken).error().context("spec");
    if (*global_taken || cursor.flag("--rootless", spec.rootless)) continue;
    auto got = cursor.value_option("--bundle", spec.bundle);
    if (!got.ok()) return std::move(got).error().context("spec");
    if (*got) continue;
    return Error("spec: unexpected argument \"" + std::string(cursor.peek()) + "\"");
  }
  return {};
}

}  // namespace

std::string_view usage() { return kUsage; }

Result<Cli> parse_cli(std::span<const std::string_view> args) {
  Cli cli;
  Cursor cursor(args);
  while (!cursor.done()) {
    std::string_view word = cursor.peek();
    if (word == "--help" || word == "-h") {
      cli.command = Command::kHelp;
      return cli;
    }
    if (word == "--version" || word == "-v") {
      cli.command = Command::kVersion;
      return cli;
    }
    auto taken = global_option(cursor, cli.global);
    if (!taken.ok()) return std::move(taken).error();
    if (*taken) continue;
    if (word == "run" || word == "spec") {
      cursor.next();
      if (word == "run") {
        cli.command = Command::kRun;
        HUSK_TRY(parse_run(cursor, cli.global, cli.run, Positional::kId));
      } else {
        cli.command = Command::kSpec;
        HUSK_TRY(parse_spec(cursor, cli.global, cli.spec));
      }
      return cli;
    }
    // `launch [options] BUNDLE [options]`: every word again, as run's.
    cli.command = Command::kRun;
    Cursor all(args);
    HUSK_TRY(parse_run(all, cli.global, cli.run, Positional::kBundle));
    return cli;
  }
  return Error("missing bundle or command (see launch --help)");
}

}  // namespace husk::launch
