// verbs: launch's command line as a table, one row per verb (name, summary, help, handler).
// main() parses the global options and dispatches; a handler parses its own options into the
// operation's options type (container/*.h), calls the operation and prints its result.
//
//   launch [global options] VERB [options] [ID] ...
//   launch [global options] [run options] BUNDLE     (the foreground run, as before the verbs)
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch::cli {

struct GlobalOptions {
  std::string root;  // empty: kDefaultStateRoot, or $XDG_RUNTIME_DIR/launch when rootless
  std::string log;
  LogFormat log_format = LogFormat::kText;
  bool debug = false;
  bool systemd_cgroup = false;
  std::string rootless = "auto";  // auto, true, false
};

using Args = std::span<const std::string_view>;

struct Verb {
  std::string_view name;
  std::string_view summary;  // one line for launch --help
  std::string_view help;     // launch VERB --help
  // The exit code; an Error is printed once by main (exit 1, or 2 for a usage error).
  Result<int> (*handler)(const Runtime& runtime, Args args);
};

std::span<const Verb> verbs();
const Verb* find_verb(std::string_view name);

// A command-line error: main exits 2 for it (runc's usage errors), 1 for every other error.
inline constexpr int kUsageErrno = -2;
inline Error usage_error(std::string message) { return Error(std::move(message), kUsageErrno); }

// Parses the global options at the front of `args`; stops at the first word that is not one.
// Returns how many words it took.
Result<size_t> parse_globals(Args args, GlobalOptions& global);

// The state root: `root` (--root) when given; else $XDG_RUNTIME_DIR/launch when rootless (as
// runc's $XDG_RUNTIME_DIR/runc), an error when that variable is unset or empty; else /run/husk.
Result<std::string> state_root(const std::string& root, bool rootless, const char* runtime_dir);

// `launch [global and run options] BUNDLE`: the foreground run of a bundle path.
Result<int> run_bundle(const Runtime& runtime, Args args);

// Writes all of `text` to stdout.
void print(std::string_view text);

// launch --help: the global options and one line per verb.
std::string usage();
// launch --version, runc's shape: "launch version 0.1.0\ncommit: ...\nspec: ...\nlibseccomp: ..."
std::string version_text(std::string_view version, std::string_view commit);

}  // namespace husk::launch::cli
