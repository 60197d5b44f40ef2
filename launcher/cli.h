// cli: the command line of `launch`, parsed into plain options. Parsing only: no syscall, no
// output. main() dispatches on the result.
//
//   launch [global options] BUNDLE
//   launch [global options] run [--bundle DIR] [--no-pivot] [--no-init] [--init-arg ARG]...
//                               [--init-path FILE] [--preserve-fds N] [--pid-file FILE]
//                               [--console-socket PATH] ID
//   launch [global options] spec [--rootless] [--bundle DIR]
//   launch --help | --version
//
// Global options (runc's): --root DIR, --log FILE, --log-format text|json, --debug.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace husk::launch {

inline constexpr std::string_view kDefaultStateRoot = "/run/husk";

enum class LogFormat { kText, kJson };

struct GlobalOptions {
  std::string root{kDefaultStateRoot};  // state directories live below it
  std::string log;                      // empty: stderr
  LogFormat log_format = LogFormat::kText;
  bool debug = false;
};

struct RunOptions {
  std::string bundle = ".";
  std::string id;  // empty with `launch BUNDLE`: the lifecycle derives one
  bool no_pivot = false;
  bool no_init = false;
  std::vector<std::string> init_args;  // passed to husk before "--"
  std::string init_path;               // empty: searched (init_binary.h)
  int preserve_fds = 0;                // fds 3 .. 3+N-1 pass into the container
  std::string pid_file;
  std::string console_socket;  // with process.terminal: where the pty's master goes
};

struct SpecOptions {
  std::string bundle = ".";
  bool rootless = false;
};

enum class Command { kRun, kSpec, kHelp, kVersion };

struct Cli {
  Command command = Command::kHelp;
  GlobalOptions global;
  RunOptions run;
  SpecOptions spec;
};

// Parses argv without argv[0]. Errors are one line ("run: missing container ID").
Result<Cli> parse_cli(std::span<const std::string_view> args);

// The --help text.
std::string_view usage();

}  // namespace husk::launch
