// channel: the socket between launch and the container's child while the container is set up.
// A SOCK_SEQPACKET pair, close-on-exec: when the child execs, the parent reads end-of-file.
//
// Child to parent: fixed-size messages (no allocation to send one). Parent to child: a "go"
// whose payload is text of any size (the state JSON for hooks, or nothing), sent in chunks
// that each fit the socket's buffer. The child never prints: a
// failure is a message {stage, errno, text} (or the process library's ApplyFailure) and the
// parent makes one line of it: "setting up the rootfs: mounts[3] /proc: Permission denied".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "apply_failure.h"
#include "error.h"
#include "unique_fd.h"

namespace husk::launch {

// What the child was doing; each names itself in the parent's message.
enum class ChildStage : uint8_t {
  kStart,
  kCgroup,
  kJoinNamespaces,
  kCreateNamespaces,
  kUserNamespace,
  kCgroupNamespace,
  kFork,
  kHostname,
  kHooks,
  kRootfs,
  kConsole,
  kProcess,
  kCwd,
  kFds,
  kExec,
};

std::string_view stage_name(ChildStage stage);  // "joining namespaces", ...

// The child's timestamps (CLOCK_REALTIME, ns; the monotonic clocks move with a time namespace).
enum Phase : uint8_t {
  kPhaseChildStart,  // the cloned process runs
  kPhaseNamespaces,  // namespaces joined and created, id maps written
  kPhaseMounted,     // the mounts done, before pivot_root
  kPhaseRootfs,      // pivot_root done
  kPhaseFinalized,   // sysctls, read-only and masked paths done
  kPhaseProcess,     // the process's early set-up and cwd done
  kPhaseCount
};

enum class ChildEvent : uint8_t {
  kNamespaces,   // in the cgroup, joined and unshared: write the id maps
  kForChildren,  // unshared pid / time for my child: write the time offsets
  kForked,       // the container's process is `pid` (the sender exits)
  kMounted,      // mounts in place, before pivot_root: run prestart and createRuntime hooks
  kReady,        // set up; waiting for start
  kFailed,
  kReleased,  // `launch start`'s go arrived (a created container): the exec follows
};

struct ChildMessage {
  ChildEvent event = ChildEvent::kFailed;
  ChildStage stage = ChildStage::kStart;
  int32_t error = 0;  // errno
  pid_t pid = 0;
  process::ApplyFailure apply;  // set for ChildStage::kProcess failures
  int64_t phases[kPhaseCount] = {};
  char text[1024] = {};
};
static_assert(std::is_trivially_copyable_v<ChildMessage>);

class Channel {
 public:
  // A connected pair: [0] the parent's end, [1] the child's.
  static Result<Channel> create();

  UniqueFd& parent_end() { return parent_; }
  UniqueFd& child_end() { return child_; }

  // Parent: the next message; nullopt-like `eof` when every child end is closed (exec or exit).
  struct Received {
    bool eof = false;
    ChildMessage message;
  };
  static Result<Received> receive(int fd);
  static Status send_go(int fd, std::string_view payload);

  // Child side: no allocation except for the payload. Return 0 or errno.
  static int send(int fd, const ChildMessage& message);
  static int wait_go(int fd, std::string* payload);

 private:
  UniqueFd parent_;
  UniqueFd child_;
};

// Copies `text` into message.text (truncated, NUL-terminated).
void set_text(ChildMessage& message, std::string_view text);

// The parent's line for a failure (without the process library's stages, which the lifecycle
// describes with process::describe_failure).
Error describe(const ChildMessage& message);

int64_t realtime_ns();

}  // namespace husk::launch
