// seccomp_cache: compiled seccomp filters kept under launch's state root, so that a start with a
// profile seen before skips libseccomp's compile (tens of milliseconds for a Docker-like
// profile on three architectures).
//
//   ROOT/@seccomp/KEY.bpf   KEY: the hex SHA-256 of the cache format, libseccomp's version,
//                           the native architecture and the profile as compile_seccomp reads it
//
// ("@" is not allowed in a container ID: `list` never sees the folder and no container's state
// directory takes its place.) A file is used only when everything holds: the folder is a
// directory (not a link) owned by launch's euid with mode 0700; the file is a regular file (not
// a link) owned by launch's euid with mode 0600; its header is the format's magic and KEY; its
// sizes add up (at most the kernel's 4096 instructions); and its last 32 bytes are the SHA-256
// of everything before them. Anything else is ignored: the profile is compiled and the file
// replaced. Files are written to a temporary name and renamed: a reader sees a whole file or
// none. A folder that is not launch's own (wrong owner or mode, a link) is neither read nor
// written.
#pragma once

#include <string>

#include "error.h"
#include "oci_config.h"
#include "seccomp_filter.h"

namespace husk::process {

// How a filter came to be, for launch's --debug trace.
enum class SeccompSource {
  kCompiled,  // compiled (no cache folder given, or the folder is not launch's own)
  kCached,    // read from the cache
  kStored,    // compiled and written to the cache (first use, or the file was not trusted)
};
const char* seccomp_source_name(SeccompSource source);

// The cache key of a profile (64 hex digits).
std::string seccomp_cache_key(const oci::Seccomp& seccomp);

// compile_seccomp(), through the cache folder `dir` (created 0700 when missing; its parent must
// exist). A failure to write the cache is not an error: the compiled filter is returned.
Result<CompiledSeccomp> compile_seccomp_cached(const oci::Seccomp& seccomp, const std::string& dir,
                                               SeccompSource* source);

}  // namespace husk::process
