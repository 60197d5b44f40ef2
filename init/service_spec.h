// What one supervised service is: its command and its settings (restart policy, backoff, restart
// limit, main, stop signal and grace, readiness, output prefix), and the key=value syntax that sets
// them, shared by service directories (-S DIR, the `config` file) and the command line (--set
// NAME:KEY=VALUE). Fixed-size storage: parsing allocates nothing.
#pragma once

#include <csignal>
#include <cstdint>
#include <string_view>

#include "log.h"

namespace husk {

inline constexpr int kMaxServices = 64;
inline constexpr int kMaxServiceArgs = 31;  // a --service command split on spaces
inline constexpr int kMaxServiceName = 31;  // letters, digits, '.', '_', '-'

enum class Restart : std::uint8_t { kNever, kOnFailure, kAlways };
// What `command` holds: a run file's path; words separated by NULs; a shell command line; or
// nothing (the main command's argv is husk's own).
enum class CommandKind : std::uint8_t { kRunFile, kWords, kShell, kArgv };
enum class GiveUp : std::uint8_t { kDefault, kStop, kContinue };  // default: stop for main

struct ServiceSpec {
  char name[kMaxServiceName + 1] = {};
  CommandKind kind = CommandKind::kRunFile;
  std::uint8_t word_count = 0;       // kWords
  char command[200] = {};            // see CommandKind
  char* const* main_argv = nullptr;  // kArgv
  char ready_file[100] = {};         // ready-file=PATH, empty when none

  Restart restart = Restart::kAlways;
  bool restart_set = false;  // main defaults to never when restart= is not given
  bool main = false;
  GiveUp give_up = GiveUp::kDefault;
  bool log_prefix = false;       // output through husk, each line as "NAME: LINE"
  bool log_prefix_set = false;   // log-prefix= given: --log-prefix leaves it alone
  int backoff_ms = 100;          // first delay before a restart
  int backoff_factor_pct = 200;  // each further delay: previous * factor
  int backoff_max_ms = 10000;    // ceiling of the delay
  int backoff_reset_ms = 10000;  // up this long: the next delay is the first again
  int restart_limit = 10;        // given up after more restarts than this in the window; 0: never
  int restart_window_ms = 60000;
  int stop_signal = SIGTERM;
  int stop_grace_ms = -1;  // -1: husk's -t
  int ready_fd = -1;       // ready-fd=N: the service writes a newline to fd N
  int ready_timeout_ms = 10000;

  // The argv to exec, null-terminated, into `argv`; points into this spec (or husk's argv).
  static constexpr int kArgvSize = kMaxServiceArgs + 5;
  char* const* exec_argv(char* (&argv)[kArgvSize]) const;

  bool waits_for_readiness() const { return ready_fd >= 0 || ready_file[0] != '\0'; }
  Restart effective_restart() const { return main && !restart_set ? Restart::kNever : restart; }
  bool stops_on_give_up() const {
    return give_up == GiveUp::kDefault ? main : give_up == GiveUp::kStop;
  }
};

// A service name: 1 to kMaxServiceName characters of [A-Za-z0-9._-], not starting with '.'.
bool valid_service_name(std::string_view name);

// Applies KEY=VALUE (already split) to `spec`. On failure returns false with the reason in
// `error` ("unknown key 'x'", "restart: expected never, on-failure or always, got 'x'").
bool apply_service_key(ServiceSpec& spec, std::string_view key, std::string_view value,
                       Message& error);

// Parses a config file's text: one KEY=VALUE per line, blanks around key and value ignored,
// empty lines and lines starting with '#' skipped. On failure: "line N: <reason>".
bool parse_service_config(ServiceSpec& spec, std::string_view text, Message& error);

}  // namespace husk
