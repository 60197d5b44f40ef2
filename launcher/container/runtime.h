// runtime: what every container operation is given: the state root and the log. The options of
// each operation are its own type, in its own header (create.h, kill.h, ...).
#pragma once

#include <string>

#include "logging.h"
#include "trace.h"

namespace husk::launch {

inline constexpr std::string_view kDefaultStateRoot = "/run/husk";

struct Runtime {
  std::string root{kDefaultStateRoot};  // state directories live below it
  const Log* log = nullptr;
  Trace* trace = nullptr;  // --debug: the command's phases (trace.h); null without
};

// Compiled seccomp filters (process/seccomp_cache.h): not a container ID, which has no '@'.
inline std::string seccomp_cache_dir(const Runtime& runtime) { return runtime.root + "/@seccomp"; }

}  // namespace husk::launch
