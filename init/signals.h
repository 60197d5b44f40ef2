// Signal names and numbers, the kernel's signal set, and the -r rewrite table.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "log.h"

namespace husk {

// Highest signal number on Linux (SIGRTMAX of the kernel, not of a libc).
inline constexpr int kMaxSignal = 64;

// SIGRTMIN and SIGRTMAX as glibc, bash's `kill -l` and procps name them (34 and 64), whatever
// libc husk itself is built with (musl's SIGRTMIN is 35): the names mean the same signal as for
// the programs husk runs.
inline constexpr int kRtMin = 34;
inline constexpr int kRtMax = kMaxSignal;

// Parses "TERM", "SIGTERM", "sigterm", "15", "SIGRTMIN", "SIGRTMIN+3", "RTMAX-2". Numbers must be
// 1..kMaxSignal; real-time forms must land in kRtMin..kRtMax. When `allow_zero` is set, "0"
// parses to 0 (the "drop" target of a rewrite).
std::optional<int> parse_signal(std::string_view text, bool allow_zero = false);

// Appends the name of `sig` to `out`: "SIGTERM", "SIGRTMIN+3", or the number when unnamed.
void append_signal_name(Message& out, int sig);

// The signal set as the kernel sees it (64 bits), used with the raw rt_sig* system calls so that
// no libc hides its reserved real-time signals from husk.
struct KernelSigset {
  std::uint64_t bits = 0;

  static KernelSigset all() { return {~std::uint64_t{0}}; }
  bool has(int sig) const { return sig >= 1 && sig <= kMaxSignal && (bits >> (sig - 1)) & 1; }
  void add(int sig) {
    if (sig >= 1 && sig <= kMaxSignal) bits |= std::uint64_t{1} << (sig - 1);
  }
};

// The -r SRC:DST table. Identity unless rewritten; a target of 0 drops the signal.
class SignalRewrite {
 public:
  SignalRewrite();
  void set(int from, int to) { table_[from] = static_cast<std::uint8_t>(to); }
  int map(int sig) const { return sig >= 0 && sig <= kMaxSignal ? table_[sig] : sig; }

 private:
  std::array<std::uint8_t, kMaxSignal + 1> table_;
};

// Parses "SRC:DST" into `rewrite`. On failure returns false and appends the reason to `error`.
bool parse_rewrite(std::string_view text, SignalRewrite& rewrite, Message& error);

}  // namespace husk
