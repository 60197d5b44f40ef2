// husk's own signal state: taken over at start (every signal blocked and taken synchronously),
// and given back to the child exactly as husk found it. Raw system calls, so that neither libc
// hides the real-time signals it reserves for itself.
#pragma once

#include <signal.h>
#include <time.h>

#include "signals.h"

namespace husk {

struct SignalState {
  KernelSigset mask;             // the signal mask husk was started with
  bool sigchld_ignored = false;  // whether SIGCHLD was SIG_IGN when husk started
};

// Records the start state, blocks every signal, and sets SIGCHLD to SIG_DFL when it was ignored
// (an ignored SIGCHLD would make the kernel reap the children and hide their status). The other
// dispositions stay as husk found them: it installs no handler, and an exec keeps SIG_IGN.
SignalState take_over_signals();

// In the child before exec: SIGCHLD's start disposition and the start mask.
// Async-signal-safe.
void restore_signals(const SignalState& original);

// Waits for one signal of `set` (rt_sigtimedwait). With a null `timeout` it sleeps until one
// arrives. Returns the signal, or -1 with errno (EAGAIN on timeout, EINTR).
int wait_for_signal(const KernelSigset& set, siginfo_t* info, const timespec* timeout);

}  // namespace husk
