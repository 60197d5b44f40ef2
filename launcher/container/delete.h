// delete: a stopped container cleaned completely: what is left in its cgroup killed, the
// poststop hooks (failures are warnings), the cgroup removed (only one launch made), the state
// directory removed. A created container is deleted as runc does (its held process killed);
// a running or paused one only with --force (killed, waited for, cleaned). With --force an
// unknown id is no error, and a state directory a killed `launch create` left (no record, or
// "creating") is cleaned from what it recorded.
#pragma once

#include <string>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch {

struct DeleteOptions {
  std::string id;
  bool force = false;
};

Status remove(const Runtime& runtime, const DeleteOptions& options);

}  // namespace husk::launch
