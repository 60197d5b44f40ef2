#include "process_setup.h"

#include <sys/prctl.h>

#include <cerrno>
#include <string>

#include "io_priority.h"
#include "json_text.h"
#include "oom_score_adj.h"
#include "personality.h"

namespace husk::process {
namespace {

// Assigns the value of a Result to `target`, or returns its error from the enclosing function.
#define HUSK_ASSIGN(target, expr)                                                 \
  do {                                                                            \
    auto husk_assign_result_ = (expr);                                            \
    if (!husk_assign_result_.ok()) return std::move(husk_assign_result_).error(); \
    (target) = std::move(husk_assign_result_).value();                            \
  } while (0)

#define HUSK_APPLY(expr)                                                                \
  do {                                                                                  \
    if (ApplyFailure husk_failure_ = (expr); !husk_failure_.ok()) return husk_failure_; \
  } while (0)

ApplyFailure set_keepcaps(bool on) {
  if (prctl(PR_SET_KEEPCAPS, on ? 1 : 0, 0, 0, 0) != 0) return {Stage::kKeepCaps, on, errno};
  return ApplyFailure::none();
}

// The first 16 ids, then how many more: an error line stays short however long the list.
std::string ids(const std::vector<gid_t>& values) {
  constexpr size_t kShown = 16;
  std::string text;
  for (size_t i = 0; i < values.size() && i < kShown; ++i) {
    if (!text.empty()) text += ',';
    text += std::to_string(values[i]);
  }
  if (values.size() > kShown) text += ",... (" + std::to_string(values.size()) + " in all)";
  return text;
}

Result<PreparedProcess> prepare_process_parts(const oci::Config& config,
                                              const std::string& seccomp_cache) {
  PreparedProcess prepared;
  if (config.process) {
    const oci::Process& process = *config.process;
    HUSK_ASSIGN(prepared.credentials, prepare_credentials(process.user));
    if (process.capabilities) {
      int last_cap = 0;
      HUSK_ASSIGN(last_cap, last_capability());
      HUSK_ASSIGN(prepared.capabilities, prepare_capabilities(*process.capabilities, last_cap));
    }
    HUSK_ASSIGN(prepared.rlimits, prepare_rlimits(process.rlimits));
    prepared.no_new_privileges = process.no_new_privileges;
    if (process.oom_score_adj)
      HUSK_ASSIGN(prepared.oom_score_adj, prepare_oom_score_adj(*process.oom_score_adj));
    if (process.io_priority)
      HUSK_ASSIGN(prepared.io_priority, prepare_io_priority(*process.io_priority));
    if (process.scheduler) HUSK_ASSIGN(prepared.scheduler, prepare_scheduler(*process.scheduler));
  }
  if (config.linux_config) {
    const oci::Linux& linux_config = *config.linux_config;
    if (linux_config.personality)
      HUSK_ASSIGN(prepared.personality, prepare_personality(*linux_config.personality));
    if (linux_config.seccomp)
      HUSK_ASSIGN(prepared.seccomp, compile_seccomp_cached(*linux_config.seccomp, seccomp_cache,
                                                           &prepared.seccomp_source));
    HUSK_ASSIGN(prepared.sysctls, prepare_sysctls(linux_config.sysctl, linux_config.namespaces));
  }
  return prepared;
}

}  // namespace

Result<PreparedProcess> prepare_process(const oci::Config& config, std::string_view source,
                                        const std::string& seccomp_cache) {
  auto prepared = prepare_process_parts(config, seccomp_cache);
  if (!prepared.ok()) return std::move(prepared).error().context(source);
  return prepared;
}

ApplyFailure apply_process_early(const PreparedProcess& prepared) {
  HUSK_APPLY(apply_rlimits(prepared.rlimits));
  if (prepared.oom_score_adj) HUSK_APPLY(apply_oom_score_adj(*prepared.oom_score_adj));
  if (prepared.io_priority) HUSK_APPLY(apply_io_priority(*prepared.io_priority));
  if (prepared.scheduler) HUSK_APPLY(apply_scheduler(*prepared.scheduler));
  if (prepared.personality) HUSK_APPLY(apply_personality(*prepared.personality));
  return ApplyFailure::none();
}

ApplyFailure apply_process_final(const PreparedProcess& prepared, int listener_sink,
                                 std::span<const gid_t> image_groups) {
  const bool nnp = prepared.no_new_privileges;
  if (prepared.seccomp && !nnp) HUSK_APPLY(load_seccomp(*prepared.seccomp, listener_sink));
  if (prepared.capabilities) {
    HUSK_APPLY(drop_bounding_set(*prepared.capabilities));
    HUSK_APPLY(set_keepcaps(true));
  }
  HUSK_APPLY(apply_credentials(prepared.credentials, image_groups));
  if (prepared.capabilities) {
    HUSK_APPLY(set_keepcaps(false));
    HUSK_APPLY(apply_capability_sets(*prepared.capabilities));
  }
  if (nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    return {Stage::kNoNewPrivileges, 0, errno};
  if (prepared.seccomp && nnp) HUSK_APPLY(load_seccomp(*prepared.seccomp, listener_sink));
  return ApplyFailure::none();
}

ApplyFailure apply_process(const PreparedProcess& prepared, int listener_sink) {
  HUSK_APPLY(apply_process_early(prepared));
  HUSK_APPLY(apply_sysctls(prepared.sysctls));
  return apply_process_final(prepared, listener_sink);
}

Error describe_failure(const PreparedProcess& prepared, const ApplyFailure& failure) {
  const size_t index = static_cast<size_t>(failure.index);
  const int error = failure.error;
  switch (failure.stage) {
    case Stage::kNone:
      return Error("no failure");
    case Stage::kRlimit: {
      if (index >= prepared.rlimits.size()) break;
      const PreparedRlimit& rlimit = prepared.rlimits[index];
      return Error("process.rlimits[" + std::to_string(index) + "]: " + rlimit.name +
                       ": setrlimit " + std::to_string(rlimit.soft) + "/" +
                       std::to_string(rlimit.hard),
                   error);
    }
    case Stage::kOomScoreAdj:
      return Error("process.oomScoreAdj: writing " +
                       std::to_string(prepared.oom_score_adj.value_or(0)) +
                       " to /proc/self/oom_score_adj",
                   error);
    case Stage::kIoPriority:
      return Error("process.ioPriority: ioprio_set", error);
    case Stage::kScheduler:
      return Error("process.scheduler: sched_setattr", error);
    case Stage::kPersonality:
      return Error("linux.personality: personality", error);
    case Stage::kSysctl: {
      if (index >= prepared.sysctls.size()) break;
      const PreparedSysctl& sysctl = prepared.sysctls[index];
      return Error("linux.sysctl[" + json_quote(sysctl.key) + "]: writing " + sysctl.path, error);
    }
    case Stage::kSeccompLoad:
      return Error("linux.seccomp: loading the filter", error);
    case Stage::kSeccompListener:
      return Error("linux.seccomp: passing the listener fd to the runtime", error);
    case Stage::kBoundingSet:
      return Error("process.capabilities.bounding: dropping " + capability_name(failure.index),
                   error);
    case Stage::kKeepCaps:
      return Error("process.capabilities: PR_SET_KEEPCAPS", error);
    case Stage::kSetgroups:
      return Error("process.user.additionalGids: setgroups [" +
                       ids(prepared.credentials.additional_gids) + "]",
                   error);
    case Stage::kSetgid:
      return Error("process.user.gid: setresgid " + std::to_string(prepared.credentials.gid),
                   error);
    case Stage::kSetuid:
      return Error("process.user.uid: setresuid " + std::to_string(prepared.credentials.uid),
                   error);
    case Stage::kCapset:
      return Error("process.capabilities: capset", error);
    case Stage::kAmbient:
      if (failure.index < 0) return Error("process.capabilities.ambient: clearing", error);
      return Error("process.capabilities.ambient: raising " + capability_name(failure.index),
                   error);
    case Stage::kNoNewPrivileges:
      return Error("process.noNewPrivileges: PR_SET_NO_NEW_PRIVS", error);
  }
  return Error("process set-up: stage " + std::to_string(static_cast<int>(failure.stage)) +
                   " entry " + std::to_string(failure.index),
               error);
}

}  // namespace husk::process
