#include "systemd/unit_path.h"

#include <algorithm>

#include "json_text.h"

namespace husk::launch::systemd {
namespace {

constexpr std::string_view kSliceSuffix = ".slice";
constexpr std::string_view kDefaultSlice = "system.slice";
constexpr std::string_view kDefaultPrefix = "husk";

// systemd's unit name characters (unit_name_is_valid): ASCII letters, digits, ":-_.\".
bool valid_unit_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '\\' || c == ':';
}

}  // namespace

Result<std::string> expand_slice(std::string_view slice) {
  if (slice.size() <= kSliceSuffix.size() || !slice.ends_with(kSliceSuffix))
    return Error("slice " + json_quote(slice) + ": expected a name ending in .slice");
  std::string_view name = slice.substr(0, slice.size() - kSliceSuffix.size());
  if (name == "-") return std::string();
  if (!std::all_of(name.begin(), name.end(), valid_unit_char) || name.find(':') != name.npos)
    return Error("slice " + json_quote(slice) +
                 ": a slice name has only letters, digits, \"-_.\\\"");
  std::string path;
  std::string prefix;
  size_t start = 0;
  while (true) {
    size_t dash = name.find('-', start);
    std::string_view part = name.substr(start, dash == name.npos ? name.npos : dash - start);
    if (part.empty()) return Error("slice " + json_quote(slice) + ": an empty part between dashes");
    prefix += (prefix.empty() ? "" : "-") + std::string(part);
    path += "/" + prefix + std::string(kSliceSuffix);
    if (dash == name.npos) break;
    start = dash + 1;
  }
  return path;
}

Result<UnitPath> parse_unit_path(std::string_view cgroups_path, std::string_view container_id) {
  std::string fallback = ":" + std::string(kDefaultPrefix) + ":" + std::string(container_id);
  std::string_view text = cgroups_path.empty() ? std::string_view(fallback) : cgroups_path;
  auto fail = [&](std::string_view why) {
    return Error("linux.cgroupsPath: " + json_quote(cgroups_path) + ": " + std::string(why));
  };
  size_t first = text.find(':');
  size_t second = first == text.npos ? text.npos : text.find(':', first + 1);
  if (second == text.npos || text.find(':', second + 1) != text.npos)
    return fail("the systemd cgroup driver expects \"slice:prefix:name\"");
  std::string_view slice = text.substr(0, first);
  std::string_view prefix = text.substr(first + 1, second - first - 1);
  std::string_view name = text.substr(second + 1);
  if (name.empty()) return fail("an empty name");
  if (name.ends_with(kSliceSuffix)) return fail("a slice as the container's unit is not supported");
  UnitPath result;
  result.slice = slice.empty() ? std::string(kDefaultSlice) : std::string(slice);
  if (result.slice == "-") result.slice = "-.slice";
  if (result.slice.find('/') != std::string::npos)
    return fail("the slice is a unit name, not a path (\"a-b.slice\" is below \"a.slice\")");
  auto expanded = expand_slice(result.slice);
  if (!expanded.ok()) return std::move(expanded).error().context("linux.cgroupsPath");
  result.unit = (prefix.empty() ? "" : std::string(prefix) + "-") + std::string(name) + ".scope";
  if (!std::all_of(result.unit.begin(), result.unit.end(), valid_unit_char) ||
      result.unit.find(':') != std::string::npos)
    return fail("a unit name has only letters, digits, \"-_.\\\"");
  if (result.unit.size() > 255) return fail("the unit name is longer than 255 bytes");
  result.cgroup = *expanded + "/" + result.unit;
  return result;
}

}  // namespace husk::launch::systemd
