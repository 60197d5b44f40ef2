// stats: parsers for the cgroup statistics files, taking the text so tests need no files.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups.h"

namespace husk::cgroups {

// "key value" lines (memory.events, cpu.stat, memory.oom_control, cpuacct.stat) -> key -> value.
std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text);

// A single number, or "max" (v2) / a value at or above 2^62 (v1's "unlimited"): unset.
std::optional<uint64_t> parse_limit(std::string_view text);

// v2 io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" lines.
std::vector<Stats::IoDevice> parse_io_stat(std::string_view text);

// v1 blkio.throttle.io_service_bytes[_recursive] and io_serviced: "8:0 Read 4096" lines.
std::vector<Stats::IoDevice> parse_blkio(std::string_view service_bytes, std::string_view serviced);

}  // namespace husk::cgroups
