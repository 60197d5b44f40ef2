// init_binary: husk, the container's PID 1, as a sealed in-memory copy. launch finds the husk
// binary on the host, copies it into a memfd (MFD_CLOEXEC, sealed against writing, growing,
// shrinking and further sealing) before any namespace or pivot_root, and the child execs that
// fd. Nothing is copied into the rootfs, the image needs no init, and /proc/1/exe inside the
// container is the sealed copy, never a host file the container could write (CVE-2019-5736).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "error.h"
#include "unique_fd.h"

namespace husk::launch {

// The annotation whose value (words separated by spaces) is passed to husk before --init-arg.
inline constexpr std::string_view kInitArgsAnnotation = "run.husk.args";

// Where husk is: `explicit_path` (--init-path) if set, else $HUSK_INIT_PATH, else "husk" next
// to the launch executable, else ../init/husk from it (the build tree).
Result<std::string> find_init(const std::string& explicit_path);

// A sealed memfd holding a copy of the file at `path`.
Result<UniqueFd> sealed_copy(const std::string& path);

// husk's argv: "husk", the annotation's words, the --init-arg words, "--", then process.args.
std::vector<std::string> init_argv(const std::map<std::string, std::string>& annotations,
                                   const std::vector<std::string>& init_args,
                                   const std::vector<std::string>& process_args);

}  // namespace husk::launch
