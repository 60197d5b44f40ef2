#include "options.h"

#include <csignal>

#include "text.h"

namespace husk {
namespace {

enum class Opt {
  kHelp,
  kVersion,
  kLicense,
  kSubreaper,
  kGroup,
  kPdeathsig,
  kRemapExit,
  kVerbose,
  kVerbosity,
  kWarnOnReap,
  kGrace,
  kKillAfter,
  kNoShutdown,
  kRewrite,
  kPause,
  kServiceDir,
  kService,
  kSet,
  kControl,
  kSignalAll,
  kLogPrefix,
  kSignalMask,
};

struct OptionSpec {
  char short_name;             // '\0' when there is none
  std::string_view long_name;  // without "--"
  std::string_view env;        // the HUSK_* variable that mirrors it, empty when none
  bool takes_value;
  Opt id;
};

constexpr OptionSpec kOptions[] = {
    {'h', "help", "", false, Opt::kHelp},
    {'\0', "version", "", false, Opt::kVersion},
    {'l', "license", "", false, Opt::kLicense},
    {'s', "subreaper", "HUSK_SUBREAPER", false, Opt::kSubreaper},
    {'g', "process-group", "HUSK_KILL_PROCESS_GROUP", false, Opt::kGroup},
    {'p', "pdeathsig", "HUSK_PDEATHSIG", true, Opt::kPdeathsig},
    {'e', "remap-exit", "HUSK_REMAP_EXIT", true, Opt::kRemapExit},
    {'v', "verbose", "", false, Opt::kVerbose},
    {'\0', "verbosity", "HUSK_VERBOSITY", true, Opt::kVerbosity},
    {'w', "warn-on-reap", "HUSK_WARN_ON_REAP", false, Opt::kWarnOnReap},
    {'t', "grace", "HUSK_GRACE", true, Opt::kGrace},
    {'k', "kill-after", "HUSK_KILL_AFTER", true, Opt::kKillAfter},
    {'n', "no-shutdown", "HUSK_NO_SHUTDOWN", false, Opt::kNoShutdown},
    {'r', "rewrite", "HUSK_REWRITE", true, Opt::kRewrite},
    {'P', "pause", "HUSK_PAUSE", false, Opt::kPause},
    {'S', "services", "HUSK_SERVICES", true, Opt::kServiceDir},
    {'\0', "service", "", true, Opt::kService},
    {'\0', "set", "", true, Opt::kSet},
    {'\0', "control", "HUSK_CONTROL", true, Opt::kControl},
    {'\0', "signal-all", "HUSK_SIGNAL_ALL", false, Opt::kSignalAll},
    {'\0', "log-prefix", "HUSK_LOG_PREFIX", false, Opt::kLogPrefix},
    {'\0', "signal-mask", "HUSK_SIGNAL_MASK", true, Opt::kSignalMask},
};

// tini's variables, read before husk's own so that HUSK_* wins.
constexpr OptionSpec kTiniEnv[] = {
    {'\0', "", "TINI_SUBREAPER", false, Opt::kSubreaper},
    {'\0', "", "TINI_KILL_PROCESS_GROUP", false, Opt::kGroup},
    {'\0', "", "TINI_VERBOSITY", true, Opt::kVerbosity},
};

constexpr int kMaxSeconds = 1000000;

// 1 to 16 hex digits, as /proc/PID/status shows a signal mask (bit N-1: signal N).
bool parse_mask(std::string_view text, KernelSigset& mask) {
  if (text.empty() || text.size() > 16) return false;
  mask.bits = 0;
  for (char c : text) {
    int digit = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
    if (digit < 0) return false;
    mask.bits = (mask.bits << 4) | static_cast<std::uint64_t>(digit);
  }
  return true;
}

// Applies one option. `where` names its source for errors ("option -t", "HUSK_GRACE").
bool apply(ParseResult& result, Opt id, std::string_view value, std::string_view where) {
  Options& o = result.options;
  Message& error = result.error;
  switch (id) {
    case Opt::kHelp:
      result.action = Action::kHelp;
      return true;
    case Opt::kVersion:
      result.action = Action::kVersion;
      return true;
    case Opt::kLicense:
      result.action = Action::kLicense;
      return true;
    case Opt::kSubreaper:
      o.subreaper = true;
      return true;
    case Opt::kGroup:
      o.process_group = true;
      return true;
    case Opt::kPdeathsig: {
      auto sig = parse_signal(value);
      if (sig) {
        o.pdeathsig = *sig;
        return true;
      }
      error << where << ": unknown signal '" << value << "'";
      return false;
    }
    case Opt::kRemapExit: {
      int code = 0;
      if (parse_int(value, 255, code)) {
        o.exit_remap.add(code);
        return true;
      }
      error << where << ": invalid exit code '" << value << "' (expected 0 to 255)";
      return false;
    }
    case Opt::kVerbose:
      ++o.verbosity;
      return true;
    case Opt::kVerbosity:
      if (parse_int(value, 9, o.verbosity)) return true;
      error << where << ": invalid verbosity '" << value << "' (expected 0 to 9)";
      return false;
    case Opt::kWarnOnReap:
      o.warn_on_reap = true;
      return true;
    case Opt::kGrace:
    case Opt::kKillAfter:
      if (parse_seconds(value, id == Opt::kGrace ? o.grace_ms : o.kill_after_ms)) return true;
      error << where << ": invalid duration '" << value << "' (expected seconds, e.g. 5 or 0.5)";
      return false;
    case Opt::kNoShutdown:
      o.shutdown_tree = false;
      return true;
    case Opt::kRewrite:
      if (parse_rewrite(value, o.rewrite, error)) return true;
      {
        Message reason;
        reason << error.view();
        error.clear();
        error << where << ": " << reason.view();
      }
      return false;
    case Opt::kPause:
      o.pause = true;
      return true;
    case Opt::kServiceDir:
      o.service_dir = value.data();  // argv and envp strings end with a NUL
      return true;
    case Opt::kService:
      if (o.service_count < kMaxCommandServices) {
        o.services[o.service_count++] = value.data();
        return true;
      }
      error << where << ": more than " << kMaxCommandServices << " services";
      return false;
    case Opt::kSet:
      if (o.setting_count < kMaxSettings) {
        o.settings[o.setting_count++] = value.data();
        return true;
      }
      error << where << ": more than " << kMaxSettings << " settings";
      return false;
    case Opt::kControl:
      o.control_path = value.data();
      o.control_path_set = true;
      return true;
    case Opt::kSignalAll:
      o.signal_all = true;
      return true;
    case Opt::kLogPrefix:
      o.log_prefix = true;
      return true;
    case Opt::kSignalMask:
      if (parse_mask(value, o.signal_mask)) {
        o.has_signal_mask = true;
        return true;
      }
      error << where << ": invalid signal mask '" << value << "' (expected 1 to 16 hex digits)";
      return false;
  }
  return false;
}

// A boolean variable counts when set to anything but "" or "0"; tini's count whenever set.
bool env_enabled(const OptionSpec& spec, std::string_view value) {
  if (head(spec.env, 5) == "TINI_") return true;
  return !value.empty() && value != "0";
}

bool apply_env(ParseResult& result, const OptionSpec& spec, std::string_view value) {
  if (!spec.takes_value) return !env_enabled(spec, value) || apply(result, spec.id, "", spec.env);
  const bool is_list = spec.id == Opt::kRemapExit || spec.id == Opt::kRewrite;
  if (!is_list) return apply(result, spec.id, value, spec.env);
  while (!value.empty()) {  // comma- or space-separated
    std::size_t end = value.find_first_of(", ");
    std::string_view item = head(value, end);
    if (!item.empty() && !apply(result, spec.id, item, spec.env)) return false;
    if (end == std::string_view::npos) break;
    value.remove_prefix(end + 1);
  }
  return true;
}

bool apply_environment(ParseResult& result, char* const* envp, const OptionSpec* specs,
                       std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const OptionSpec& spec = specs[i];
    if (spec.env.empty()) continue;
    for (char* const* e = envp; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      if (entry.size() > spec.env.size() && head(entry, spec.env.size()) == spec.env &&
          entry[spec.env.size()] == '=') {
        if (!apply_env(result, spec, from(entry, spec.env.size() + 1))) return false;
      }
    }
  }
  return true;
}

const OptionSpec* find_short(char name) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.short_name == name) return &spec;
  }
  return nullptr;
}

const OptionSpec* find_long(std::string_view name) {
  for (const OptionSpec& spec : kOptions) {
    if (spec.long_name == name) return &spec;
  }
  return nullptr;
}

}  // namespace

bool parse_int(std::string_view text, int max, int& value) {
  if (text.empty() || text.size() > 7) return false;
  int parsed = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    parsed = parsed * 10 + (c - '0');
  }
  if (parsed > max) return false;
  value = parsed;
  return true;
}

bool parse_seconds(std::string_view text, int& milliseconds) {
  std::size_t dot = text.find('.');
  std::string_view whole = head(text, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : from(text, dot + 1);
  if (dot != std::string_view::npos && fraction.empty()) return false;
  if (fraction.size() > 3) return false;
  int seconds = 0;
  if (!parse_int(whole, kMaxSeconds, seconds)) return false;
  int millis = 0;
  if (!fraction.empty() && !parse_int(fraction, 999, millis)) return false;
  for (std::size_t i = fraction.size(); i < 3; ++i) millis *= 10;
  milliseconds = seconds * 1000 + millis;
  return true;
}

namespace {

// The whole parse into `result`; false on an error (in result.error).
bool parse_into(ParseResult& result, int argc, char* const* argv, char* const* envp) {
  if (!apply_environment(result, envp, kTiniEnv, std::size(kTiniEnv)) ||
      !apply_environment(result, envp, kOptions, std::size(kOptions))) {
    return false;
  }

  int i = 1;
  for (; i < argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') break;  // the command starts here

    if (arg[1] == '-') {  // --name or --name=value
      std::string_view name = from(arg, 2);
      std::size_t eq = name.find('=');
      const OptionSpec* spec = find_long(head(name, eq));
      if (spec == nullptr) {
        result.error << "unknown option '"
                     << head(arg, eq == std::string_view::npos ? arg.size() : eq + 2) << "'";
        return false;
      }
      Message where;
      where << "option --" << spec->long_name;
      std::string_view value;
      if (eq != std::string_view::npos) {
        if (!spec->takes_value) {
          result.error << where.view() << ": takes no value";
          return false;
        }
        value = from(name, eq + 1);
      } else if (spec->takes_value) {
        if (i + 1 >= argc) {
          result.error << where.view() << ": needs a value";
          return false;
        }
        value = argv[++i];
      }
      if (!apply(result, spec->id, value, where.view())) return false;
      continue;
    }

    for (std::size_t j = 1; j < arg.size(); ++j) {  // -abc, -t5, -t 5
      const OptionSpec* spec = find_short(arg[j]);
      if (spec == nullptr) {
        result.error << "unknown option '-" << arg[j] << "'";
        return false;
      }
      Message where;
      where << "option -" << arg[j];
      std::string_view value;
      if (spec->takes_value) {
        if (j + 1 < arg.size()) {
          value = from(arg, j + 1);
        } else if (i + 1 < argc) {
          value = argv[++i];
        } else {
          result.error << where.view() << ": needs a value";
          return false;
        }
        j = arg.size();
      }
      if (!apply(result, spec->id, value, where.view())) return false;
    }
  }

  if (result.action != Action::kRun) return true;
  Options& o = result.options;
  if (o.pause && o.supervises_services()) {
    result.error << "option -P: pause mode runs no services";
    return false;
  }
  if (o.pause) {
    if (i < argc) {
      result.error << "option -P: pause mode runs no command, but got '" << argv[i] << "'";
      return false;
    }
    return true;
  }
  if (i >= argc && o.supervises_services()) return true;  // services, without a main command
  if (i >= argc) {
    result.action = Action::kUsage;
    return true;
  }
  o.command = argv + i;
  return true;
}

}  // namespace

// One ParseResult, built in place in the caller's (a copy would be a second 2.5 KiB of stack).
ParseResult parse_options(int argc, char* const* argv, char* const* envp) {
  ParseResult result;
  if (!parse_into(result, argc, argv, envp)) result.action = Action::kError;
  return result;
}

const std::string_view kUsageText =
    "usage: husk [OPTIONS] [--] COMMAND [ARGS...]\n"
    "       husk -P [OPTIONS]\n"
    "       husk [OPTIONS] -S DIR | --service NAME=COMMAND... [--] [MAIN COMMAND...]\n"
    "       husk ctl [--control PATH] list | start NAME | stop NAME | restart NAME\n"
    "\n"
    "Runs COMMAND as its child, forwards signals to it, reaps every orphan, and on the child's\n"
    "exit stops the remaining processes and exits with the child's status (128+N for signal N).\n"
    "\n"
    "  -h, --help               show this text and exit\n"
    "      --version            show the version and exit\n"
    "  -l, --license            show the license and exit\n"
    "  -s, --subreaper          register as child subreaper (automatic when not PID 1)\n"
    "  -g, --process-group      forward signals to the child's process group\n"
    "  -p, --pdeathsig SIGNAL   have husk receive SIGNAL when its parent dies\n"
    "  -e, --remap-exit CODE    report exit code CODE as 0 (repeatable)\n"
    "  -v, --verbose            more output (repeatable); --verbosity N sets it (0-9)\n"
    "  -w, --warn-on-reap       warn when reaping a process other than the child\n"
    "  -t, --grace SECONDS      SIGTERM-to-SIGKILL delay of the shutdown (default 5; 0 = SIGKILL)\n"
    "  -n, --no-shutdown        leave remaining processes alone when the child exits\n"
    "  -k, --kill-after SECONDS SIGKILL everything if the child still runs SECONDS after a\n"
    "                           forwarded SIGTERM or SIGINT (default: never)\n"
    "  -r, --rewrite SRC:DST    forward signal SRC as DST; DST 0 drops it (repeatable)\n"
    "  -P, --pause              run no command: reap until SIGTERM or SIGINT, then exit 0\n"
    "      --signal-mask HEX    the child's signal mask (default: husk's own at start)\n"
    "\n"
    "Services (at most 64; see husk(1), SERVICES):\n"
    "  -S, --services DIR       one service per entry of DIR, in name order: an executable, or\n"
    "                           a directory with an executable `run` and an optional `config`\n"
    "      --service NAME=CMD   one more service (repeatable); a COMMAND is the main one\n"
    "      --set NAME:KEY=VALUE a config key: restart, backoff, backoff-factor, backoff-max,\n"
    "                           backoff-reset, restart-limit, restart-window, main, on-give-up,\n"
    "                           stop-signal, stop-grace, ready-fd, ready-file, ready-timeout,\n"
    "                           log-prefix\n"
    "      --control PATH       the socket of `husk ctl` (default /run/husk.sock)\n"
    "      --signal-all         forward every signal to every service, not only SIGHUP\n"
    "      --log-prefix         every service's output line by line as `NAME: LINE` (the\n"
    "                           key log-prefix=yes|no sets it per service; default: unchanged)\n"
    "\n"
    "Environment: HUSK_SUBREAPER, HUSK_KILL_PROCESS_GROUP, HUSK_PDEATHSIG, HUSK_REMAP_EXIT,\n"
    "HUSK_VERBOSITY, HUSK_WARN_ON_REAP, HUSK_GRACE, HUSK_NO_SHUTDOWN, HUSK_KILL_AFTER,\n"
    "HUSK_REWRITE, HUSK_PAUSE, HUSK_SERVICES, HUSK_CONTROL, HUSK_SIGNAL_ALL, HUSK_LOG_PREFIX "
    "mirror\n"
    "(lists: comma-separated); tini's TINI_SUBREAPER, TINI_KILL_PROCESS_GROUP and TINI_VERBOSITY "
    "are\n"
    "honoured too.\n";

const std::string_view kLicenseText =
    "husk is released under the MIT License.\n"
    "\n"
    "Permission is hereby granted, free of charge, to any person obtaining a copy of this\n"
    "software and associated documentation files (the \"Software\"), to deal in the Software\n"
    "without restriction, including without limitation the rights to use, copy, modify, merge,\n"
    "publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons\n"
    "to whom the Software is furnished to do so, subject to the following conditions:\n"
    "\n"
    "The above copyright notice and this permission notice shall be included in all copies or\n"
    "substantial portions of the Software.\n"
    "\n"
    "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,\n"
    "INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR\n"
    "PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE\n"
    "FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR\n"
    "OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER\n"
    "DEALINGS IN THE SOFTWARE.\n";

}  // namespace husk
