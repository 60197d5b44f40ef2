// Supervision of several services: starts them in table order (a service with readiness holds
// the next ones back until it is ready, or fails husk after its ready-timeout), restarts them by
// policy with a growing backoff and gives up on a crash loop, forwards signals (SIGHUP to every
// service, the others to the main service), answers `husk ctl`, and stops them in reverse order
// on SIGTERM/SIGINT, when the main service ends, or when a critical service is given up. Sleeps
// in rt_sigtimedwait; a pending restart or stop is its only timeout.
#pragma once

#include "log.h"
#include "options.h"
#include "service_table.h"
#include "signal_state.h"

namespace husk {

// Runs the services of `table` until they are all done or stopped and the tree is empty.
// Returns husk's exit code.
// `table` holds the services' state too (ServiceTable::state).
int supervise_services(const Options& options, const Log& log, ServiceTable& table,
                       const SignalState& original, bool pid1);

}  // namespace husk
