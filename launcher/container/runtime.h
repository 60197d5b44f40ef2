// runtime: what every container operation is given: the state root, the log and whether launch
// runs rootless. The options of each operation are its own type, in its own header (create.h,
// kill.h, ...).
#pragma once

#include <string>

#include "logging.h"
#include "trace.h"

namespace husk::launch {

inline constexpr std::string_view kDefaultStateRoot = "/run/husk";

struct Runtime {
  std::string root{kDefaultStateRoot};  // state directories live below it
  const Log* log = nullptr;
  // --systemd-cgroup: the container's cgroup is a transient systemd scope (systemd/).
  bool systemd_cgroup = false;
  // Without root (or --rootless true): the user namespace maps the caller only, and a cgroup
  // that cannot be made is done without when the config asks for no resources.
  bool rootless = false;
  Trace* trace = nullptr;  // --debug: the command's phases (trace.h); null without
};

// Compiled seccomp filters (process/seccomp_cache.h): not a container ID, which has no '@'.
inline std::string seccomp_cache_dir(const Runtime& runtime) { return runtime.root + "/@seccomp"; }

}  // namespace husk::launch
