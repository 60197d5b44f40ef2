// start: releases a created container (create.h) from another process. Connects to the held
// process's start.sock, sends it the state (for the startContainer hooks it runs in the
// container), and waits for end-of-file (the exec) or its failure message. Then the status is
// "running" and the poststart hooks run; one that fails fails start, and the container is
// killed (runtime-spec 1.3). Under the state directory's lock: of two concurrent starts, the
// second finds the container running and fails.
#pragma once

#include <string>

#include "container/runtime.h"
#include "error.h"

namespace husk::launch {

Status start(const Runtime& runtime, const std::string& id);

}  // namespace husk::launch
