// create: a container set up and held before exec until `launch start` (start.h) releases it.
// Everything is in place when this returns (namespaces, cgroup, rootfs, the prestart,
// createRuntime and createContainer hooks run), the state says "created", the pid file holds
// the init's pid, and no launch process stays behind: the caller (conmon, containerd's shim) is
// the init's parent or subreaper and reaps it.
#pragma once

#include <string>
#include <vector>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch {

struct CreateOptions {
  std::string bundle = ".";
  std::string id;  // empty (the foreground `launch BUNDLE` only): derived from the bundle
  std::string pid_file;
  std::string console_socket;  // with process.terminal: where the pty's master goes
  bool no_pivot = false;
  bool no_new_keyring = false;  // launch makes no session keyring: accepted, nothing to skip
  bool no_init = false;
  std::vector<std::string> init_args;  // passed to husk before "--"
  std::string init_path;               // empty: searched (init_binary.h)
  int preserve_fds = 0;                // fds 3 .. 3+N-1 pass into the container
};

Status create(const Runtime& runtime, const CreateOptions& options);

// --preserve-fds N: fds 3 .. 3+N-1 must be open (before launch opens any of its own).
Status check_preserved_fds(int count);

}  // namespace husk::launch
