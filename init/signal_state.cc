#include "signal_state.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>

namespace husk {
namespace {

// The kernel's struct sigaction on x86_64, aarch64 and most others (not the libc one).
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  std::uint64_t mask;
};

constexpr unsigned long kSigsetSize = sizeof(std::uint64_t);

long set_mask(int how, const KernelSigset* set, KernelSigset* old) {
  return syscall(SYS_rt_sigprocmask, how, set, old, kSigsetSize);
}

long set_action(int sig, const KernelSigaction* action, KernelSigaction* old) {
  return syscall(SYS_rt_sigaction, sig, action, old, kSigsetSize);
}

}  // namespace

SignalState take_over_signals() {
  SignalState state;
  KernelSigset all = KernelSigset::all();
  set_mask(SIG_SETMASK, &all, &state.mask);
  KernelSigaction current{};
  state.sigchld_ignored = set_action(SIGCHLD, nullptr, &current) == 0 && current.handler == SIG_IGN;
  if (state.sigchld_ignored) {
    KernelSigaction dfl{};
    dfl.handler = SIG_DFL;
    set_action(SIGCHLD, &dfl, nullptr);
  }
  return state;
}

void restore_signals(const SignalState& original) {
  if (original.sigchld_ignored) {
    KernelSigaction ign{};
    ign.handler = SIG_IGN;
    set_action(SIGCHLD, &ign, nullptr);
  }
  set_mask(SIG_SETMASK, &original.mask, nullptr);
}

int wait_for_signal(const KernelSigset& set, siginfo_t* info, const timespec* timeout) {
  return static_cast<int>(syscall(SYS_rt_sigtimedwait, &set, info, timeout, kSigsetSize));
}

}  // namespace husk
