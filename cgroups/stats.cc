#include "stats.h"

#include <algorithm>
#include <charconv>
#include <sstream>

namespace husk::cgroups {
namespace {

std::optional<uint64_t> to_u64(std::string_view s) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

bool parse_device(const std::string& text, uint32_t* major, uint32_t* minor) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  const auto ma = to_u64(std::string_view(text).substr(0, colon));
  const auto mi = to_u64(std::string_view(text).substr(colon + 1));
  if (!ma || !mi) return false;
  *major = static_cast<uint32_t>(*ma);
  *minor = static_cast<uint32_t>(*mi);
  return true;
}

Stats::IoDevice& device_entry(std::vector<Stats::IoDevice>& devices, uint32_t major,
                              uint32_t minor) {
  for (auto& d : devices) {
    if (d.major == major && d.minor == minor) return d;
  }
  devices.push_back(Stats::IoDevice{major, minor});
  return devices.back();
}

}  // namespace

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text) {
  std::map<std::string, uint64_t> values;
  std::istringstream lines{std::string(text)};
  for (std::string key, value; lines >> key >> value;) {
    if (auto n = to_u64(value)) values[key] = *n;
  }
  return values;
}

std::optional<uint64_t> parse_limit(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  const auto value = to_u64(text);
  if (!value || *value >= (uint64_t{1} << 62)) return std::nullopt;
  return value;
}

std::vector<Stats::IoDevice> parse_io_stat(std::string_view text) {
  std::vector<Stats::IoDevice> devices;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string device;
    uint32_t major = 0, minor = 0;
    if (!(words >> device) || !parse_device(device, &major, &minor)) continue;
    Stats::IoDevice& d = device_entry(devices, major, minor);
    for (std::string pair; words >> pair;) {
      const size_t eq = pair.find('=');
      if (eq == std::string::npos) continue;
      const std::string key = pair.substr(0, eq);
      const uint64_t value = to_u64(std::string_view(pair).substr(eq + 1)).value_or(0);
      if (key == "rbytes") d.read_bytes = value;
      if (key == "wbytes") d.write_bytes = value;
      if (key == "rios") d.read_ios = value;
      if (key == "wios") d.write_ios = value;
    }
  }
  return devices;
}

std::vector<Stats::IoDevice> parse_blkio(std::string_view service_bytes,
                                         std::string_view serviced) {
  std::vector<Stats::IoDevice> devices;
  const auto read = [&devices](std::string_view text, bool bytes) {
    std::istringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
      std::istringstream words(line);
      std::string device, op, value;
      uint32_t major = 0, minor = 0;
      if (!(words >> device >> op >> value) || !parse_device(device, &major, &minor)) continue;
      const uint64_t n = to_u64(value).value_or(0);
      Stats::IoDevice& d = device_entry(devices, major, minor);
      if (op == "Read") (bytes ? d.read_bytes : d.read_ios) = n;
      if (op == "Write") (bytes ? d.write_bytes : d.write_ios) = n;
    }
  };
  read(service_bytes, true);
  read(serviced, false);
  return devices;
}

}  // namespace husk::cgroups
