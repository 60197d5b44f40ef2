// launch: runs an OCI bundle in the foreground with husk as its PID 1. Parses the command line,
// dispatches, prints an error once as one line, exits with the container's status.
#include <unistd.h>

#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli.h"
#include "json_text.h"
#include "lifecycle.h"
#include "logging.h"
#include "spec_file.h"

#ifndef HUSK_VERSION
#define HUSK_VERSION "unknown"
#endif

namespace {

void print(std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(STDOUT_FILENO, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<size_t>(n));
  }
}

// Before the logger exists: a plain line on stderr.
int usage_error(std::string_view message) {
  std::string line = "launch: " + husk::one_line(message) + "\n";
  (void)!::write(STDERR_FILENO, line.data(), line.size());
  return 2;
}

int launch_main(int argc, char** argv) {
  using namespace husk::launch;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto cli = parse_cli(args);
  if (!cli.ok()) return usage_error(cli.error().text());
  switch (cli->command) {
    case Command::kHelp:
      print(usage());
      return 0;
    case Command::kVersion:
      print("launch " HUSK_VERSION "\n");
      return 0;
    default:
      break;
  }
  if (cli->command == Command::kRun) {
    if (auto fds = check_preserved_fds(cli->run.preserve_fds); !fds.ok())
      return usage_error(fds.error().text());
  }
  auto log = Log::open(cli->global);
  if (!log.ok()) return usage_error(log.error().text());
  if (cli->command == Command::kSpec) {
    if (auto written = write_default_spec(cli->spec); !written.ok()) {
      log->error(written.error().text());
      return 1;
    }
    return 0;
  }
  auto code = run(cli->global, cli->run, *log);
  if (!code.ok()) {
    log->error(code.error().text());
    return 1;
  }
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
