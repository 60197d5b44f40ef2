// Command line and environment: what husk was asked to do. Parsing is pure (argv and envp in,
// Options or one error line out), so the unit tests need no process.
#pragma once

#include <string_view>

#include "exit_status.h"
#include "log.h"
#include "signals.h"

namespace husk {

inline constexpr int kDefaultGraceMs = 5000;
inline constexpr int kMaxCommandServices = 64;  // --service options
inline constexpr int kMaxSettings = 64;         // --set options
inline constexpr const char* kDefaultControlPath = "/run/husk.sock";

struct Options {
  bool subreaper = false;          // -s: accepted for tini; husk registers itself when not PID 1
  bool process_group = false;      // -g: forward to the child's process group
  int pdeathsig = 0;               // -p: signal husk gets when its parent dies; 0 = none
  ExitRemap exit_remap;            // -e: exit codes reported as 0
  int verbosity = 1;               // -v: 0 errors, 1 warnings, 2 info, 3 debug
  bool warn_on_reap = false;       // -w: warn when reaping a process that is not the main child
  int grace_ms = kDefaultGraceMs;  // -t: SIGTERM to SIGKILL delay of the tree shutdown
  int kill_after_ms = -1;     // -k: SIGKILL the tree this long after SIGTERM/SIGINT; -1 = never
  bool shutdown_tree = true;  // -n clears it: leave the remaining processes alone
  bool pause = false;         // -P: run no child, reap until SIGTERM/SIGINT
  SignalRewrite rewrite;      // -r SRC:DST
  // --signal-mask HEX (set by launch, which execs husk with every signal blocked so that none
  // sent during start-up is lost): the mask the child gets instead of husk's start mask.
  bool has_signal_mask = false;
  KernelSigset signal_mask;
  char* const* command = nullptr;  // the child's argv, null-terminated; null with -P
  // Supervision of several services (docs: husk.1.md, SERVICES). Strings point into argv/envp.
  const char* service_dir = nullptr;               // -S DIR
  const char* services[kMaxCommandServices] = {};  // --service NAME=COMMAND
  int service_count = 0;
  const char* settings[kMaxSettings] = {};  // --set NAME:KEY=VALUE
  int setting_count = 0;
  const char* control_path = kDefaultControlPath;  // --control PATH, for husk ctl
  bool control_path_set = false;
  bool signal_all = false;  // --signal-all: every signal to every service, not just SIGHUP
  bool log_prefix = false;  // --log-prefix: log-prefix=yes for every service without the key

  // --log-prefix alone makes COMMAND the service "main": only services have their output relayed.
  bool supervises_services() const {
    return service_dir != nullptr || service_count > 0 || log_prefix;
  }
};

enum class Action { kRun, kHelp, kVersion, kLicense, kUsage, kError };

struct ParseResult {
  Action action = Action::kRun;
  Options options;
  Message error;  // with kError: one line, without the "husk: " prefix
};

// Parses `envp` (KEY=VALUE, null-terminated; HUSK_* and TINI_* variables) and then `argv`, whose
// options override or add to the environment's. Parsing stops at the first non-option or "--".
ParseResult parse_options(int argc, char* const* argv, char* const* envp);

// Parses a decimal number of at most 7 digits, no sign, up to `max`; `value` is left alone on
// failure.
bool parse_int(std::string_view text, int max, int& value);

// Parses a duration in seconds ("5", "0.25", at most millisecond precision) into milliseconds.
bool parse_seconds(std::string_view text, int& milliseconds);

extern const std::string_view kUsageText;
extern const std::string_view kLicenseText;

}  // namespace husk
