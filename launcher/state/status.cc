#include "state/status.h"

#include <string>

namespace husk::launch {
namespace {

constexpr std::string_view kNames[] = {"creating", "created", "running", "paused", "stopped"};

// What each operation needs, as the error says it.
std::string_view needs(Operation operation) {
  switch (operation) {
    case Operation::kStart:
      return "a created container";
    case Operation::kKill:
      return "a created, running or paused container";
    case Operation::kExec:
      return "a created or running container";
    case Operation::kPause:
      return "a running container";
    case Operation::kResume:
      return "a paused container";
    case Operation::kUpdate:
      return "a created, running or paused container";
    case Operation::kDelete:
      return "a stopped container (or --force)";
    case Operation::kForceDelete:
      return "a container";
  }
  return "a container";
}

}  // namespace

std::string_view status_name(ContainerStatus status) {
  return kNames[static_cast<int>(status)];
}

std::string_view operation_name(Operation operation) {
  switch (operation) {
    case Operation::kStart:
      return "start";
    case Operation::kKill:
      return "kill";
    case Operation::kExec:
      return "exec";
    case Operation::kPause:
      return "pause";
    case Operation::kResume:
      return "resume";
    case Operation::kUpdate:
      return "update";
    case Operation::kDelete:
    case Operation::kForceDelete:
      return "delete";
  }
  return "?";
}

bool parse_status(std::string_view name, ContainerStatus& status) {
  for (int i = 0; i < static_cast<int>(std::size(kNames)); ++i) {
    if (kNames[i] == name) {
      status = static_cast<ContainerStatus>(i);
      return true;
    }
  }
  return false;
}

bool allows(ContainerStatus status, Operation operation) {
  using S = ContainerStatus;
  switch (operation) {
    case Operation::kStart:
      return status == S::kCreated;
    case Operation::kKill:
    case Operation::kUpdate:
      return status == S::kCreated || status == S::kRunning || status == S::kPaused;
    case Operation::kExec:
      return status == S::kCreated || status == S::kRunning;
    case Operation::kPause:
      return status == S::kRunning;
    case Operation::kResume:
      return status == S::kPaused;
    case Operation::kDelete:
      return status == S::kStopped;
    case Operation::kForceDelete:
      return true;
  }
  return false;
}

Status check_allowed(std::string_view id, ContainerStatus status, Operation operation) {
  if (allows(status, operation)) return {};
  return Error("container " + std::string(id) + " is " + std::string(status_name(status)) + ": " +
               std::string(operation_name(operation)) + " needs " + std::string(needs(operation)));
}

}  // namespace husk::launch
