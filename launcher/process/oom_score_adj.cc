#include "oom_score_adj.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "unique_fd.h"

namespace husk::process {

Result<int> prepare_oom_score_adj(int value) {
  if (value < -1000 || value > 1000)
    return Error(".process.oomScoreAdj: " + std::to_string(value) +
                 " is outside -1000..1000");
  return value;
}

ApplyFailure apply_oom_score_adj(int value) {
  // Formatted by hand: no allocation in the child.
  char text[16];
  char* end = text + sizeof text;
  char* p = end;
  unsigned magnitude = value < 0 ? -static_cast<unsigned>(value) : static_cast<unsigned>(value);
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) *--p = '-';

  UniqueFd fd(open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
  if (!fd) return {Stage::kOomScoreAdj, 0, errno};
  if (write(fd.get(), p, end - p) != end - p) return {Stage::kOomScoreAdj, 0, errno};
  return ApplyFailure::none();
}

}  // namespace husk::process
