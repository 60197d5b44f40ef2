// spawn: the container's process. spawn_child() clones it (with the namespaces clone() can make
// at once) and, in the child, runs the set-up in order, talking to the parent over the channel:
//
//   [clone3 placed it in the v2 cgroup] join the v1 cgroups (writing "0" to the tasks files the
//   parent opened: cgroups.h's join_self)
//   join namespaces, unshare new ones          -> [kNamespaces, parent: id maps]
//   setresuid/gid 0 in a new user namespace, PR_SET_DUMPABLE 0, unshare the cgroup namespace
//   [unshare pid/time for children             -> kForChildren, parent: time offsets]
//   [fork the container's process, CLONE_PARENT -> kForked(pid), the forking process exits]
//   wait for the parent (it ran prestart and createRuntime hooks; the go carries the state)
//   hostname, domainname, createContainer hooks, the process's early set-up (rlimits, ...)
//   rootfs: mounts, pivot_root; sysctls; [process.terminal: a pty of the container's devpts,
//   the slave bound onto /dev/console, made the controlling terminal of a new session and fds
//   0-2, the master sent to the parent over console_sink]; read-only and masked paths
//   chdir(process.cwd), checked to be inside the new root; every fd above the preserved ones
//   close-on-exec                              -> kReady, then [wait for start: on the channel
//   (launch in the foreground), or, for `launch create`, on start_listener: the parent-death
//   signal is cleared before kReady (create exits), and the first connection (`launch start`)
//   becomes the channel from then on, its go answered with kReleased]
//   startContainer hooks, HOME and the groups from the image's /etc/passwd and /etc/group,
//   the process's final set-up (credentials, capabilities, seccomp),
//   the signal mask restored, execveat(husk's sealed memfd) or execve(process.args)
//
// The child never prints and never returns: a failure is a kFailed message, then _exit(1).
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
#include "rootfs.h"

namespace husk::launch {

struct ChildPlan {
  const oci::Config* config = nullptr;
  const NamespacePlan* namespaces = nullptr;
  const std::vector<OpenedNamespace>* joins = nullptr;
  const process::PreparedProcess* process = nullptr;
  rootfs::Options rootfs;
  int init_fd = -1;               // husk's sealed memfd; -1 with --no-init
  std::vector<std::string> argv;  // husk's argv, or process.args with --no-init
  std::vector<std::string> env;   // process.env
  int preserve_fds = 0;
  sigset_t signal_mask{};   // launch's original mask, restored before exec
  int channel = -1;         // the child's end
  int listener_sink = -1;   // for the seccomp notify fd; -1 without (or held: the start socket)
  int console_sink = -1;    // for the pty's master (process.terminal); -1 without
  int start_listener = -1;  // `launch create`: the listening socket start connects to
  int close_first = -1;     // closed first thing in the child (the state directory's lock)
  // The parent's end of the channel, closed next: a child whose parent died before it could set
  // its parent-death signal then fails its next message instead of waiting forever.
  int parent_end = -1;
  const cgroups::Cgroup::Entry* cgroup = nullptr;  // joined next; none: no cgroup
  // Whether the child stops for the parent after its namespaces (kNamespaces) and before exec
  // (after kReady). Without, it sends kReady and goes on: a foreground run that needs nothing
  // from the parent in between (no id maps, fork, hooks, terminal or seccomp agent) saves two
  // hand-overs between the processes, each a wait for a CPU on a loaded host.
  bool namespaces_round_trip = true;
  bool wait_for_start = true;
};

// Clones the child; returns its pid (in launch's pid namespace). The child runs the plan.
Result<pid_t> spawn_child(const ChildPlan& plan);

// Whether the child stops between its mounts and pivot_root (ChildEvent::kMounted) for the
// prestart, createRuntime and createContainer hooks. Without them it goes straight on.
inline bool pauses_before_pivot(const oci::Hooks& hooks) {
  return !hooks.prestart.empty() || !hooks.create_runtime.empty() ||
         !hooks.create_container.empty();
}

// The file process.args[0] names: itself when it holds a '/', else the first executable match in
// the PATH of `env` (the default PATH without one). Resolved in the current root. 0 or errno.
int resolve_executable(const std::string& name, const std::vector<std::string>& env,
                       std::string& path);

}  // namespace husk::launch
