// spawn_exec: the second child of the stage protocol: a process added to a running container
// (`launch exec`). It joins, where the container's own first process created:
//
//   PR_SET_DUMPABLE 0; joins the container's v1 cgroups (cgroups.h's join_self); setns() into
//   every namespace of the container by fd (the user one last) -> kNamespaces, parent: moves it
//   into the v2 cgroup
//   [fork_after_join: fork (CLONE_PARENT: launch's child), so the pid and time namespaces
//   apply -> kForked(pid). Without it the child is already where it execs: root's launch joined
//   the container's pid namespace for its children before the clone (exec.cc), or there is no
//   pid or time namespace to enter]
//   the process's early set-up (rlimits, oomScoreAdj, ...), [--tty: a pty of the container's
//   devpts made the controlling terminal and stdio, the master sent over console_sink],
//   chdir(cwd), fds above the preserved ones close-on-exec, HOME and groups from the image,
//   the final set-up (credentials, capabilities, noNewPrivileges, seccomp), the signal mask
//   restored, execve. No /dev/console, no rootfs steps: the container's are in place.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>
#include <vector>

#include "cgroups.h"
#include "error.h"
#include "namespaces.h"
#include "oci_config.h"
#include "process_setup.h"

namespace husk::launch {

struct ExecPlan {
  const std::vector<OpenedNamespace>* joins = nullptr;
  const oci::Process* process = nullptr;
  const process::PreparedProcess* prepared = nullptr;
  int preserve_fds = 0;
  bool parent_death = true;  // the foreground: the process dies with launch
  sigset_t signal_mask{};
  int channel = -1;
  int console_sink = -1;   // --tty: for the pty's master; -1 without
  int listener_sink = -1;  // SCMP_ACT_NOTIFY: for the seccomp listener fd; -1 without
  int parent_end = -1;     // the parent's end of the channel, closed first (spawn.h)
  const cgroups::Cgroup::Entry* cgroup = nullptr;  // the container's cgroup; none: not joined
  bool fork_after_join = true;  // the pid or time namespace applies to the child's children only
};

// Clones the joining child; returns its pid. With fork_after_join it forks the process that
// execs (kForked); without, it execs itself.
Result<pid_t> spawn_exec_child(const ExecPlan& plan);

}  // namespace husk::launch
