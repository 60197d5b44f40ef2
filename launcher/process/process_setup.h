// process_setup: the container process's set-up as a plan, then its application.
//
//   // parent, before clone: may allocate, may fail with a config error naming the JSON path
//   auto prepared = process::prepare_process(config);
//   // child, after clone (no output; failures are plain ApplyFailure data):
//   apply_process_early(*prepared)        // before pivot_root: needs a /proc
//   apply_sysctls(prepared->sysctls)      // once the container's /proc is mounted
//   apply_process_final(*prepared, sink, image_groups)  // last, just before execve
//   // parent, for a failure the child sent back:
//   describe_failure(*prepared, failure).text()
//     -> "process.rlimits[0]: RLIMIT_NOFILE: setrlimit 30000/30000: Operation not permitted"
//
// Order (runc's):
//   early:  rlimits, oomScoreAdj, ioPriority, scheduler, personality
//   final:  seccomp, when noNewPrivileges is false (loading then needs CAP_SYS_ADMIN, so it
//           comes before the capabilities are dropped; the rest of this list then runs under
//           the filter), then the bounding set dropped, PR_SET_KEEPCAPS, setgroups / setresgid
//           / setresuid / umask, PR_SET_KEEPCAPS off, capset (effective, permitted,
//           inheritable) and the ambient set, PR_SET_NO_NEW_PRIVS, and seccomp last when
//           noNewPrivileges is true.
//
// Everything here also applies to husk, which is what gets exec'd first and then execs
// process.args: husk needs rt_sigprocmask, rt_sigtimedwait, rt_sigaction, wait4, kill,
// clone/fork/vfork, execve, prctl, setpgid, ioctl (TIOCSPGRP), chdir, write and exit_group. A
// seccomp profile that blocks those breaks the container; that is the user's choice.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "apply_failure.h"
#include "capabilities.h"
#include "credentials.h"
#include "error.h"
#include "oci_config.h"
#include "rlimits.h"
#include "scheduler.h"
#include "seccomp_cache.h"
#include "seccomp_filter.h"
#include "sysctl.h"

namespace husk::process {

struct PreparedProcess {
  Credentials credentials;
  std::optional<CapabilitySets> capabilities;  // absent: the sets are left as they are
  std::vector<PreparedRlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<int> oom_score_adj;
  std::optional<int> io_priority;  // ioprio_set value
  std::optional<SchedAttr> scheduler;
  std::optional<unsigned long> personality;
  std::optional<CompiledSeccomp> seccomp;
  SeccompSource seccomp_source = SeccompSource::kCompiled;  // with a seccomp filter
  std::vector<PreparedSysctl> sysctls;
};

// Reads config.process (absent: defaults, uid 0, no limits) and config.linux (seccomp,
// sysctl, personality). Errors name `source` (the file the process came from: config.json, or
// exec's process.json) and the JSON path: `config.json: .process.rlimits[0].type: unknown
// resource "RLIMIT_FOO"`. With `seccomp_cache`, a folder of compiled filters (seccomp_cache.h),
// a profile compiled before is read from there.
Result<PreparedProcess> prepare_process(const oci::Config& config,
                                        std::string_view source = "config.json",
                                        const std::string& seccomp_cache = "");

// The early steps (see the order above).
ApplyFailure apply_process_early(const PreparedProcess& prepared);

// The final steps, ending just before execve. `listener_sink` is a unix socket to the parent
// for the SCMP_ACT_NOTIFY listener fd (-1 when the profile has no NOTIFY action);
// `image_groups` are the user's groups in the image's /etc/group (image_user.h).
ApplyFailure apply_process_final(const PreparedProcess& prepared, int listener_sink,
                                 std::span<const gid_t> image_groups = {});

// The early steps, the sysctls, then the final steps.
ApplyFailure apply_process(const PreparedProcess& prepared, int listener_sink);

// One line for a failure the child reported: what was being set, with the errno.
Error describe_failure(const PreparedProcess& prepared, const ApplyFailure& failure);

}  // namespace husk::process
