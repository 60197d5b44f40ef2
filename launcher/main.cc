// launch: an OCI runtime driven as runc is, with husk as the container's PID 1. Parses the
// global options, dispatches to the verb table (cli/verbs.h), prints an error once as one line
// (to stderr, and to the --log file in its format), exits 2 for a command-line error, 1 for any
// other, or with the container's status.
#include <unistd.h>

#include <cstdlib>

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/verbs.h"
#include "commit.h"
#include "json_text.h"
#include "logging.h"

#ifndef HUSK_VERSION
#define HUSK_VERSION "unknown"
#endif

namespace {

// A bundle path holds a '/' (or is "." / ".."); any other word must name a verb.
bool looks_like_path(std::string_view word) {
  return word.find('/') != std::string_view::npos || word == "." || word == "..";
}

int launch_main(int argc, char** argv) {
  using namespace husk::launch;
  std::vector<std::string_view> words(argv + 1, argv + argc);
  cli::Args args(words);
  cli::GlobalOptions global;
  auto taken = cli::parse_globals(args, global);
  Log stderr_log;
  if (!taken.ok()) {
    stderr_log.error(taken.error().message());
    return 2;
  }
  auto log = Log::open({global.log, global.log_format, global.debug});
  if (!log.ok()) {
    stderr_log.error(log.error().text());
    return 2;
  }
  auto fail = [&](const husk::Error& error) {
    bool usage = error.errno_value() == cli::kUsageErrno;
    log->error(usage ? error.message() : error.text());
    return usage ? 2 : 1;
  };
  cli::Args rest = args.subspan(*taken);
  if (rest.empty()) return fail(cli::usage_error("missing command (see launch --help)"));
  std::string_view word = rest[0];
  if (word == "--help" || word == "-h" || word == "help") {
    cli::print(cli::usage());
    return 0;
  }
  if (word == "--version" || word == "-v" || word == "version") {
    cli::print(cli::version_text(HUSK_VERSION, HUSK_COMMIT));
    return 0;
  }
  const bool rootless =
      global.rootless == "true" || (global.rootless == "auto" && ::geteuid() != 0);
  if (rootless && global.systemd_cgroup)
    return fail(
        husk::Error("--systemd-cgroup: the systemd cgroup driver needs root (it asks "
                    "the system's systemd for a scope), not a rootless launch"));
  auto root = cli::state_root(global.root, rootless, ::getenv("XDG_RUNTIME_DIR"));
  // spec and features keep no state: they run without a state root.
  if (!root.ok() && word != "spec" && word != "features") return fail(root.error());
  Runtime runtime{root.ok() ? *root : std::string(), &*log, global.systemd_cgroup, rootless};
  const cli::Verb* verb = cli::find_verb(word);
  std::optional<Trace> trace;
  if (global.debug) {
    trace.emplace(verb != nullptr ? word : std::string_view("run"));
    runtime.trace = &*trace;
  }
  husk::Result<int> code = 0;
  if (verb != nullptr) {
    code = verb->handler(runtime, rest.subspan(1));
  } else if (word[0] == '-' || looks_like_path(word)) {
    // `launch [options] BUNDLE`: the foreground run, options before or after the bundle.
    code = cli::run_bundle(runtime, rest);
  } else {
    code =
        cli::usage_error("unknown command \"" + husk::json_escape(word) + "\" (see launch --help)");
  }
  if (trace) log->debug("timing: " + trace->json());
  if (!code.ok()) return fail(code.error());
  return *code;
}

}  // namespace

// Out of memory (a huge config) or any other exception ends launch with one line, not abort().
int main(int argc, char** argv) {
  try {
    return launch_main(argc, argv);
  } catch (const std::exception& e) {
    std::string line = std::string("launch: error: ") + e.what() + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  } catch (...) {
    (void)!::write(STDERR_FILENO, "launch: error: unknown exception\n", 33);
  }
  return 1;
}
