// ApplyFailure: what a failed apply step in the container's child reports, as plain data.
// The child after clone never prints: an apply step returns one of these, the child writes it
// to the parent over its error pipe as raw bytes (it is trivially copyable), and the parent
// turns it into one line with describe_failure() (process_setup.h).
#pragma once

#include <cstdint>
#include <type_traits>

namespace husk::process {

// The apply step that failed. `index` in ApplyFailure picks the entry of a list (rlimits[i],
// sysctl i in PreparedProcess::sysctls, capability number for bounding / ambient).
enum class Stage : uint8_t {
  kNone = 0,
  kRlimit,           // setrlimit of rlimits[index]
  kOomScoreAdj,      // writing /proc/self/oom_score_adj
  kIoPriority,       // ioprio_set
  kScheduler,        // sched_setattr
  kPersonality,      // personality
  kSysctl,           // writing /proc/sys/... of sysctls[index]
  kSeccompLoad,      // seccomp(SECCOMP_SET_MODE_FILTER)
  kSeccompListener,  // sending the SCMP_ACT_NOTIFY listener fd to the parent
  kBoundingSet,      // prctl(PR_CAPBSET_DROP, index)
  kKeepCaps,         // prctl(PR_SET_KEEPCAPS)
  kSetgroups,        // setgroups(additionalGids)
  kSetgid,           // setresgid
  kSetuid,           // setresuid
  kCapset,           // capset of effective / permitted / inheritable
  kAmbient,          // prctl(PR_CAP_AMBIENT_RAISE, index)
  kNoNewPrivileges,  // prctl(PR_SET_NO_NEW_PRIVS)
};

struct ApplyFailure {
  Stage stage = Stage::kNone;
  int32_t index = 0;
  int32_t error = 0;  // errno

  bool ok() const { return stage == Stage::kNone; }
  static ApplyFailure none() { return {}; }
};

static_assert(std::is_trivially_copyable_v<ApplyFailure>);

}  // namespace husk::process
