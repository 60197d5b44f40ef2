#include "rlimits.h"

#include <cerrno>
#include <set>
#include <string>

#include "oci_names.h"

namespace husk::process {

Result<std::vector<PreparedRlimit>> prepare_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  std::vector<PreparedRlimit> prepared;
  std::set<int> seen;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const oci::Rlimit& rlimit = rlimits[i];
    std::string where = ".process.rlimits[" + std::to_string(i) + "]";
    std::optional<int> resource = oci::rlimit_resource(rlimit.type);
    if (!resource) return Error(where + ".type: unknown resource \"" + rlimit.type + "\"");
    if (!seen.insert(*resource).second)
      return Error(where + ".type: " + rlimit.type + " appears twice");
    if (rlimit.soft > rlimit.hard)
      return Error(where + ": soft limit " + std::to_string(rlimit.soft) +
                   " is above the hard limit " + std::to_string(rlimit.hard));
    prepared.push_back({*resource, static_cast<rlim_t>(rlimit.soft),
                        static_cast<rlim_t>(rlimit.hard), rlimit.type});
  }
  return prepared;
}

ApplyFailure apply_rlimits(const std::vector<PreparedRlimit>& rlimits) {
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const rlimit limit{rlimits[i].soft, rlimits[i].hard};
    if (setrlimit(static_cast<__rlimit_resource>(rlimits[i].resource), &limit) != 0)
      return {Stage::kRlimit, static_cast<int32_t>(i), errno};
  }
  return ApplyFailure::none();
}

}  // namespace husk::process
