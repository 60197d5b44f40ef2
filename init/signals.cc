#include "signals.h"

#include <csignal>

#include "text.h"

namespace husk {
namespace {

struct NamedSignal {
  std::string_view name;  // without the "SIG" prefix
  int number;
};

// Every named Linux signal; aliases after the primary name so that printing picks the primary.
constexpr NamedSignal kSignals[] = {
    {"HUP", SIGHUP},       {"INT", SIGINT},     {"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},     {"ABRT", SIGABRT},   {"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},       {"KILL", SIGKILL},   {"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},     {"PIPE", SIGPIPE},   {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},     {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},       {"XCPU", SIGXCPU},   {"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},     {"WINCH", SIGWINCH}, {"IO", SIGIO},     {"POLL", SIGPOLL},
    {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

bool equals_upper(std::string_view text, std::string_view upper_name) {
  if (text.size() != upper_name.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (upper(text[i]) != upper_name[i]) return false;
  }
  return true;
}

bool starts_with_upper(std::string_view text, std::string_view upper_prefix) {
  return text.size() >= upper_prefix.size() &&
         equals_upper(head(text, upper_prefix.size()), upper_prefix);
}

// A decimal number of at most 3 digits, or nullopt.
std::optional<int> parse_small_number(std::string_view text) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

}  // namespace

std::optional<int> parse_signal(std::string_view text, bool allow_zero) {
  if (auto number = parse_small_number(text)) {
    if (*number == 0 && allow_zero) return 0;
    if (*number >= 1 && *number <= kMaxSignal) return number;
    return std::nullopt;
  }
  if (starts_with_upper(text, "SIG")) text.remove_prefix(3);
  for (const NamedSignal& s : kSignals) {
    if (equals_upper(text, s.name)) return s.number;
  }
  const bool from_min = starts_with_upper(text, "RTMIN");
  if (!from_min && !starts_with_upper(text, "RTMAX")) return std::nullopt;
  text.remove_prefix(5);
  int sig = from_min ? kRtMin : kRtMax;
  if (!text.empty()) {
    if (text[0] != (from_min ? '+' : '-')) return std::nullopt;
    auto offset = parse_small_number(from(text, 1));
    if (!offset) return std::nullopt;
    sig = from_min ? sig + *offset : sig - *offset;
  }
  if (sig < kRtMin || sig > kRtMax) return std::nullopt;
  return sig;
}

void append_signal_name(Message& out, int sig) {
  for (const NamedSignal& s : kSignals) {
    if (s.number == sig) {
      out << "SIG" << s.name;
      return;
    }
  }
  if (sig >= kRtMin && sig <= kRtMax) {
    out << "SIGRTMIN";
    if (sig > kRtMin) out << '+' << sig - kRtMin;
    return;
  }
  out << sig;
}

SignalRewrite::SignalRewrite() {
  for (int sig = 0; sig <= kMaxSignal; ++sig) table_[sig] = static_cast<std::uint8_t>(sig);
}

bool parse_rewrite(std::string_view text, SignalRewrite& rewrite, Message& error) {
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    error << "invalid rewrite '" << text << "' (expected SOURCE:TARGET, e.g. TERM:QUIT)";
    return false;
  }
  std::string_view from_text = head(text, colon);
  std::string_view to_text = from(text, colon + 1);
  auto source = parse_signal(from_text);
  if (!source) {
    error << "unknown signal '" << from_text << "'";
    return false;
  }
  if (*source == SIGKILL || *source == SIGSTOP || *source == SIGCHLD) {
    error << "cannot rewrite ";
    append_signal_name(error, *source);
    error << " (husk never forwards it)";
    return false;
  }
  auto target = parse_signal(to_text, /*allow_zero=*/true);
  if (!target) {
    error << "unknown signal '" << to_text << "'";
    return false;
  }
  rewrite.set(*source, *target);
  return true;
}

}  // namespace husk
