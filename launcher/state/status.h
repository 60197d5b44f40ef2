// status: a container's status as the runtime spec names it, and which operation each status
// allows. The one place the legal transitions live:
//
//   creating --create--> created --start--> running <--pause/resume--> paused
//   every live status --(the init process exits)--> stopped --delete--> (gone)
//
//   start   created only
//   kill    created, running, paused (a stopped container has no process to signal)
//   exec    created, running
//   pause   running;   resume: paused
//   update  created, running, paused
//   delete  stopped; any other only with --force (kill, then clean)
#pragma once

#include <string_view>

#include "error.h"

namespace husk::launch {

enum class ContainerStatus { kCreating, kCreated, kRunning, kPaused, kStopped };

enum class Operation { kStart, kKill, kExec, kPause, kResume, kUpdate, kDelete, kForceDelete };

std::string_view status_name(ContainerStatus status);       // "creating", ...
std::string_view operation_name(Operation operation);       // "start", ...
bool parse_status(std::string_view name, ContainerStatus& status);

bool allows(ContainerStatus status, Operation operation);

// allows(), or the one line that says why not: "container c1 is running: start needs a
// created container".
Status check_allowed(std::string_view id, ContainerStatus status, Operation operation);

}  // namespace husk::launch
