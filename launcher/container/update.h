// update: new resource limits for a live container's cgroup, through the same code path that
// applied linux.resources at create (cgroups::Cgroup::update). From --resources FILE (or "-":
// stdin; a linux.resources object, errors name the file and the field), then runc's
// single-value flags over it.
#pragma once

#include <string>

#include "container/runtime.h"
#include "error.h"
#include "resources.h"

namespace husk::launch {

struct UpdateOptions {
  std::string id;
  std::string resources_file;  // empty: none; "-": stdin
  cgroups::Resources flags;    // what the single-value flags set
};

Status update(const Runtime& runtime, const UpdateOptions& options);

}  // namespace husk::launch
