// exec: a process added to a created or running container: every namespace of it (joined by
// fd through /proc/<init>/ns, the init named by pidfd and start time), its cgroup, and its
// security settings. The process comes from --process FILE (runtime-spec JSON; errors name the
// file and the field) or from ARGS on the container's own process (config.json) with the
// command line's changes (--env, --cwd, --user, --cap, --tty, --no-new-privs).
// In the foreground launch relays signals (and the terminal with --tty and no
// --console-socket) and returns the process's exit code; --detach writes the pid file and
// returns 0 at once.
#pragma once

#include <string>
#include <vector>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch {

struct ExecOptions {
  std::string id;
  std::string process_file;
  std::vector<std::string> args;
  std::vector<std::string> env;  // NAME=VALUE, added to (or replacing in) the process's
  std::string cwd;
  std::string user;  // UID[:GID]
  std::vector<std::string> additional_gids;
  std::vector<std::string> caps;  // added to the bounding, effective and permitted sets
  bool tty = false;
  bool detach = false;
  bool no_new_privs = false;
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  std::string apparmor;       // refused: no AppArmor support
  std::string process_label;  // refused: no SELinux support
};

Result<int> exec(const Runtime& runtime, const ExecOptions& options);

}  // namespace husk::launch
