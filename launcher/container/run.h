// run: create + start + wait + delete in one launch, the foreground composition. launch relays
// its signals (and the pty, with process.terminal and no --console-socket) to the container and
// exits with its exit code; the container's init has the parent-death signal (set after its
// last credential change), so it dies with launch. With --detach: create + start, as two
// commands would, and launch exits at once.
#pragma once

#include "container/create.h"

namespace husk::launch {

struct RunOptions {
  CreateOptions create;
  bool detach = false;
};

// The container's exit code (0 with --detach).
Result<int> run(const Runtime& runtime, const RunOptions& options);

}  // namespace husk::launch
