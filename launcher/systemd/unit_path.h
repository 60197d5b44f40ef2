// unit_path: the systemd cgroup driver's reading of linux.cgroupsPath, "slice:prefix:name"
// (runc's and crun's rules): the container gets the transient scope "prefix-name.scope" in
// `slice`. An empty slice is system.slice, "-" the root slice; a slice name's dashes nest it
// ("a-b.slice" is below "a.slice"); an empty prefix gives "name.scope"; an empty cgroupsPath is
// ":husk:<id>". Plain data: no bus, no files.
#pragma once

#include <string>
#include <string_view>

#include "error.h"

namespace husk::launch::systemd {

struct UnitPath {
  std::string slice;   // "system.slice", "-.slice" for the root slice
  std::string unit;    // "husk-abc.scope"
  std::string cgroup;  // below the cgroup2 mount: "/system.slice/husk-abc.scope"
};

// Errors name the field: "linux.cgroupsPath: \"x\": expected \"slice:prefix:name\" ...".
Result<UnitPath> parse_unit_path(std::string_view cgroups_path, std::string_view container_id);

// The cgroup of a slice: "a-b.slice" -> "/a.slice/a-b.slice"; "-.slice" -> "".
Result<std::string> expand_slice(std::string_view slice);

}  // namespace husk::launch::systemd
