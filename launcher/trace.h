// trace: where one launch command's time goes, for --debug. Phases are named spans in
// microseconds, in the order they happened; main logs them once, when the command ends, as one
// line holding a JSON object:
//
//   timing: {"verb":"run","parse_us":180,"cgroup_us":762,...,"total_us":33024}
//
// String fields say how (for instance "seccomp":"cached"). The commands mark their phases
// through Runtime::trace; without --debug there is no trace and marking costs nothing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace husk::launch {

class Trace {
 public:
  explicit Trace(std::string_view verb);

  // The phase that ended now: from the previous mark (or the start) until now.
  void mark(std::string_view phase);
  // A phase timed elsewhere (CLOCK_REALTIME ns, say the child's timestamps); skipped when either
  // end is unknown (0). The next mark() starts at `to_ns`.
  void span(std::string_view phase, int64_t from_ns, int64_t to_ns);
  // From the previous mark until `to_ns` (skipped when 0).
  void until(std::string_view phase, int64_t to_ns) { span(phase, last_ns_, to_ns); }
  void note(std::string_view key, std::string_view value);

  // The JSON object: "verb", the notes, each phase as NAME_us, then total_us (start until now).
  std::string json() const;

 private:
  std::string verb_;
  int64_t start_ns_;
  int64_t last_ns_;
  std::vector<std::pair<std::string, int64_t>> phases_;  // microseconds
  std::vector<std::pair<std::string, std::string>> notes_;
};

// Marks `phase` when there is a trace (runtime.trace may be null).
inline void mark(Trace* trace, std::string_view phase) {
  if (trace != nullptr) trace->mark(phase);
}

}  // namespace husk::launch
