#include "service_spec.h"

#include "options.h"
#include "signals.h"
#include "text.h"

namespace husk {
namespace {

constexpr std::string_view kBlanks = " \t\r";

std::string_view trim(std::string_view text) {
  std::size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  std::size_t last = text.find_last_not_of(kBlanks);
  return head(from(text, first), last - first + 1);
}

bool parse_yes_no(std::string_view text, bool& value) {
  if (text == "yes" || text == "true" || text == "1") {
    value = true;
  } else if (text == "no" || text == "false" || text == "0") {
    value = false;
  } else {
    return false;
  }
  return true;
}

enum class Key {
  kRestart,
  kBackoff,
  kBackoffFactor,
  kBackoffMax,
  kBackoffReset,
  kRestartLimit,
  kRestartWindow,
  kMain,
  kOnGiveUp,
  kStopSignal,
  kStopGrace,
  kReadyFd,
  kReadyFile,
  kReadyTimeout,
  kLogPrefix,
};

struct KeySpec {
  std::string_view name;
  Key key;
};

constexpr KeySpec kKeys[] = {
    {"restart", Key::kRestart},
    {"backoff", Key::kBackoff},
    {"backoff-factor", Key::kBackoffFactor},
    {"backoff-max", Key::kBackoffMax},
    {"backoff-reset", Key::kBackoffReset},
    {"restart-limit", Key::kRestartLimit},
    {"restart-window", Key::kRestartWindow},
    {"main", Key::kMain},
    {"on-give-up", Key::kOnGiveUp},
    {"stop-signal", Key::kStopSignal},
    {"stop-grace", Key::kStopGrace},
    {"ready-fd", Key::kReadyFd},
    {"ready-file", Key::kReadyFile},
    {"ready-timeout", Key::kReadyTimeout},
    {"log-prefix", Key::kLogPrefix},
};

int* duration_field(ServiceSpec& spec, Key key) {
  switch (key) {
    case Key::kBackoff:
      return &spec.backoff_ms;
    case Key::kBackoffMax:
      return &spec.backoff_max_ms;
    case Key::kBackoffReset:
      return &spec.backoff_reset_ms;
    case Key::kRestartWindow:
      return &spec.restart_window_ms;
    case Key::kStopGrace:
      return &spec.stop_grace_ms;
    case Key::kReadyTimeout:
      return &spec.ready_timeout_ms;
    default:
      return nullptr;
  }
}

}  // namespace

char* const* ServiceSpec::exec_argv(char* (&argv)[kArgvSize]) const {
  if (kind == CommandKind::kArgv) return main_argv;
  char* text = const_cast<char*>(command);  // exec does not write to its arguments
  int argc = 0;
  if (kind == CommandKind::kShell) {  // the shell execs the command: its pid is the service's
    argv[argc++] = const_cast<char*>("/bin/sh");
    argv[argc++] = const_cast<char*>("-c");
    argv[argc++] = const_cast<char*>("eval \"exec $1\"");
    argv[argc++] = const_cast<char*>(name);
    argv[argc++] = text;
  } else if (kind == CommandKind::kRunFile) {
    argv[argc++] = text;
  } else {
    for (int i = 0; i < word_count; ++i) {
      argv[argc++] = text;
      while (*text != '\0') ++text;
      ++text;
    }
  }
  argv[argc] = nullptr;
  return argv;
}

bool valid_service_name(std::string_view name) {
  if (name.empty() || name.size() > static_cast<std::size_t>(kMaxServiceName) || name[0] == '.') {
    return false;
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool apply_service_key(ServiceSpec& spec, std::string_view key, std::string_view value,
                       Message& error) {
  const KeySpec* found = nullptr;
  for (const KeySpec& k : kKeys) {
    if (k.name == key) found = &k;
  }
  if (found == nullptr) {
    error << "unknown key '" << key << "'";
    return false;
  }
  if (int* field = duration_field(spec, found->key)) {
    if (parse_seconds(value, *field)) return true;
    error << key << ": invalid duration '" << value << "' (expected seconds, e.g. 5 or 0.5)";
    return false;
  }
  switch (found->key) {
    case Key::kRestart:
      spec.restart_set = true;
      if (value == "never") {
        spec.restart = Restart::kNever;
      } else if (value == "on-failure") {
        spec.restart = Restart::kOnFailure;
      } else if (value == "always") {
        spec.restart = Restart::kAlways;
      } else {
        error << "restart: expected never, on-failure or always, got '" << value << "'";
        return false;
      }
      return true;
    case Key::kBackoffFactor: {  // 1 to 100, at most two decimals: "2", "1.5"
      int factor_ms = 0;
      if (parse_seconds(value, factor_ms) && factor_ms >= 1000 && factor_ms <= 100000 &&
          factor_ms % 10 == 0) {
        spec.backoff_factor_pct = factor_ms / 10;
        return true;
      }
      error << "backoff-factor: expected a number from 1 to 100, e.g. 2 or 1.5, got '" << value
            << "'";
      return false;
    }
    case Key::kRestartLimit:
      if (parse_int(value, 1000000, spec.restart_limit)) return true;
      error << "restart-limit: expected a count (0: no limit), got '" << value << "'";
      return false;
    case Key::kMain:
      if (parse_yes_no(value, spec.main)) return true;
      error << "main: expected yes or no, got '" << value << "'";
      return false;
    case Key::kLogPrefix:
      spec.log_prefix_set = true;
      if (parse_yes_no(value, spec.log_prefix)) return true;
      error << "log-prefix: expected yes or no, got '" << value << "'";
      return false;
    case Key::kOnGiveUp:
      if (value == "stop") {
        spec.give_up = GiveUp::kStop;
      } else if (value == "continue") {
        spec.give_up = GiveUp::kContinue;
      } else {
        error << "on-give-up: expected stop or continue, got '" << value << "'";
        return false;
      }
      return true;
    case Key::kStopSignal: {
      auto sig = parse_signal(value);
      if (sig) {
        spec.stop_signal = *sig;
        return true;
      }
      error << "stop-signal: unknown signal '" << value << "'";
      return false;
    }
    case Key::kReadyFd:
      if (parse_int(value, 1023, spec.ready_fd) && spec.ready_fd >= 3) return true;
      spec.ready_fd = -1;
      error << "ready-fd: expected a descriptor number from 3 to 1023, got '" << value << "'";
      return false;
    case Key::kReadyFile:
      if (!value.empty() && copy_cstring(value, spec.ready_file, sizeof spec.ready_file))
        return true;
      error << "ready-file: expected a path of at most " << int{sizeof spec.ready_file - 1}
            << " bytes";
      return false;
    default:
      return false;
  }
}

bool parse_service_config(ServiceSpec& spec, std::string_view text, Message& error) {
  int number = 0;
  while (!text.empty()) {
    ++number;
    std::size_t end = text.find('\n');
    std::string_view line = trim(head(text, end));
    text = end == std::string_view::npos ? std::string_view() : from(text, end + 1);
    if (line.empty() || line[0] == '#') continue;
    std::size_t eq = line.find('=');
    const std::size_t mark = error.view().size();  // the reason follows in place
    error << "line " << number << ": ";
    if (eq == std::string_view::npos) {
      error << "expected KEY=VALUE, got '" << line << "'";
    } else if (apply_service_key(spec, trim(head(line, eq)), trim(from(line, eq + 1)), error)) {
      error.truncate(mark);
      continue;
    }
    return false;
  }
  return true;
}

}  // namespace husk
