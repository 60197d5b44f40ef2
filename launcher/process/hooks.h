// hooks: runs one list of OCI hooks (prestart, createRuntime, ...). Each hook is fork+exec'd
// with its path, args (args[0] is argv[0]; none gives argv[0] = path) and env (exactly its
// env), the state JSON on stdin, its stdout and stderr both on our stderr (our stdout is the
// container's). The list stops at the first failure:
//   hooks.prestart[1] /bin/false: exited with status 1
//   hooks.createRuntime[0] /usr/bin/x: timed out after 2s      (the hook is killed)
//   hooks.poststart[0] /nope: exec: No such file or directory
// Where a hook runs (which namespaces) is the caller's business.
#pragma once

#include <string_view>
#include <vector>

#include "error.h"
#include "oci_config.h"

namespace husk::process {

// `list` is the spec's name of the list ("createRuntime"), used in messages.
Status run_hooks(const std::vector<oci::Hook>& hooks, std::string_view list,
                 std::string_view state_json);

// One hook; `label` starts its messages ("hooks.prestart[0]").
Status run_hook(const oci::Hook& hook, std::string_view label, std::string_view state_json);

}  // namespace husk::process
