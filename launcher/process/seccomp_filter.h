// seccomp_filter: linux.seccomp compiled with libseccomp in the parent into a classic BPF program
// (seccomp_export_bpf), and loaded in the child with seccomp(2) alone.
//
// Names: actions SCMP_ACT_{KILL,KILL_PROCESS,KILL_THREAD,TRAP,ERRNO,TRACE,ALLOW,LOG,NOTIFY};
// operators SCMP_CMP_{NE,LT,LE,EQ,GE,GT,MASKED_EQ}; architectures SCMP_ARCH_* as libseccomp
// knows them; flags SECCOMP_FILTER_FLAG_{TSYNC,LOG,SPEC_ALLOW,WAIT_KILLABLE_RECV} (TSYNC is
// accepted and has nothing to do: the process is single-threaded when the filter loads). An
// unknown action, operator, architecture or flag is an error; a syscall name unknown to
// libseccomp for the architectures is skipped (profiles list syscalls of newer kernels). Several
// conditions on one argument index become one rule per condition (any of them matches);
// otherwise a syscall's conditions form one rule (all must match). errnoRet defaults to EPERM.
//
// SCMP_ACT_NOTIFY: the filter is loaded with SECCOMP_FILTER_FLAG_NEW_LISTENER. The child sends
// the listener fd to the parent over a unix socket (send_fd, fd_passing.h) right after loading
// (launch run and exec: a pair of its own; a created container: the socket `launch start`
// connected to); the parent then calls send_to_seccomp_agent(), which connects to listenerPath and
// sends the ContainerProcessState JSON with the fd (SCM_RIGHTS), and answers the child with one
// byte once the agent has it (the child goes on only then: read and write must stay allowed, as the
// channel to the parent needs them anyway). A notified syscall blocks until the
// agent answers, so the profile must not notify sendmsg/close or anything the rest of the
// set-up calls.
#pragma once

#include <linux/filter.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"
#include "unique_fd.h"

namespace husk::process {

struct CompiledSeccomp {
  std::vector<sock_filter> program;  // the BPF instructions
  unsigned int flags = 0;            // SECCOMP_FILTER_FLAG_* for seccomp(2)
  bool new_listener = false;         // some action is SCMP_ACT_NOTIFY
  std::string listener_path;
  std::string listener_metadata;
  std::vector<uint32_t> architectures;  // SCMP_ARCH_* values in the filter, native first
};

// libseccomp's values for the spec's names, or nullopt.
std::optional<uint32_t> seccomp_action_from_name(std::string_view name, uint32_t errno_ret);
std::optional<int> seccomp_operator_from_name(std::string_view name);       // SCMP_CMP_*
std::optional<uint32_t> seccomp_arch_from_name(std::string_view name);      // SCMP_ARCH_*
std::optional<unsigned int> seccomp_flag_from_name(std::string_view name);  // SECCOMP_FILTER_*

// Errors name the JSON path: `.linux.seccomp.syscalls[3].action: unknown action
// "SCMP_ACT_FOO"`.
Result<CompiledSeccomp> compile_seccomp(const oci::Seccomp& seccomp);

// seccomp(SECCOMP_SET_MODE_FILTER) of the program (needs no_new_privs or CAP_SYS_ADMIN). With
// new_listener, sends the listener fd over `listener_sink` (a unix socket to the parent), closes
// it and waits for the parent's one byte saying the agent has it. No allocation.
ApplyFailure load_seccomp(const CompiledSeccomp& seccomp, int listener_sink);

// The spec's ContainerProcessState: {"ociVersion", "fds":["seccompFd"], "pid", "metadata",
// "state": <state_json>}.
std::string container_process_state(std::string_view state_json, pid_t pid,
                                    std::string_view metadata);

// Parent side of SCMP_ACT_NOTIFY: connects to seccomp.listener_path and sends
// container_process_state(...) with `listener_fd`.
Status send_to_seccomp_agent(const CompiledSeccomp& seccomp, int listener_fd, pid_t pid,
                             std::string_view state_json);

// send_to_seccomp_agent(), then the byte on `sink` (the socket the child sent the listener on)
// that lets the child go on. The same for launch run, launch start and launch exec.
Status hand_listener_to_agent(const CompiledSeccomp& seccomp, int sink, int listener_fd, pid_t pid,
                              std::string_view state_json);

}  // namespace husk::process
