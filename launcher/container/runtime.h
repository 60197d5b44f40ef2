// runtime: what every container operation is given: the state root and the log. The options of
// each operation are its own type, in its own header (create.h, kill.h, ...).
#pragma once

#include <string>

#include "logging.h"

namespace husk::launch {

inline constexpr std::string_view kDefaultStateRoot = "/run/husk";

struct Runtime {
  std::string root{kDefaultStateRoot};  // state directories live below it
  const Log* log = nullptr;
  // --systemd-cgroup: the container's cgroup is a transient systemd scope (systemd/).
  bool systemd_cgroup = false;
};

}  // namespace husk::launch
