#include "rlimits.h"

#include <array>
#include <cerrno>
#include <set>
#include <string>

#include "names.h"

namespace husk::process {
namespace {

constexpr std::array<NamedValue<int>, 16> kRlimits{{
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
}};

}  // namespace

std::optional<int> rlimit_from_name(std::string_view name) { return value_of<int>(kRlimits, name); }

std::optional<std::string_view> rlimit_name(int resource) {
  return name_of<int>(kRlimits, resource);
}

Result<std::vector<PreparedRlimit>> prepare_rlimits(const std::vector<oci::Rlimit>& rlimits) {
  std::vector<PreparedRlimit> prepared;
  std::set<int> seen;
  for (size_t i = 0; i < rlimits.size(); ++i) {
    const oci::Rlimit& rlimit = rlimits[i];
    std::string where = "config.json: .process.rlimits[" + std::to_string(i) + "]";
    std::optional<int> resource = rlimit_from_name(rlimit.type);
    if (!resource) return Error(where + ".type: unknown resource \"" + rlimit.type + "\"");
    if (!seen.insert(*resource).second)
      return Error(where + ".type: " + rlimit.type + " appears twice");
    if (rlimit.soft > rlimit.hard)
      return Error(where + ": soft limit " + std::to_string(rlimit.soft) +
                   " is above the hard limit " + std::to_string(rlimit.hard));
    prepared.push_back(
        {*resource, static_cast<rlim_t>(rlimit.soft), static_cast<rlim_t>(rlimit.hard)});
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
