#include "stats.h"

#include <algorithm>
#include <charconv>

#include "text.h"

namespace husk::cgroups {
namespace {

std::optional<uint64_t> to_u64(std::string_view s) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

bool parse_device(std::string_view text, uint32_t* major, uint32_t* minor) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  const auto ma = to_u64(text.substr(0, colon));
  const auto mi = to_u64(text.substr(colon + 1));
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
  const std::vector<std::string_view> words = split_words(text);
  for (size_t i = 0; i + 1 < words.size(); i += 2) {
    if (auto n = to_u64(words[i + 1])) values[std::string(words[i])] = *n;
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
  for (std::string_view line : split_lines(text)) {
    const std::vector<std::string_view> words = split_words(line);
    uint32_t major = 0, minor = 0;
    if (words.empty() || !parse_device(words[0], &major, &minor)) continue;
    Stats::IoDevice& d = device_entry(devices, major, minor);
    for (size_t i = 1; i < words.size(); ++i) {
      const std::string_view pair = words[i];
      const size_t eq = pair.find('=');
      if (eq == std::string_view::npos) continue;
      const std::string_view key = pair.substr(0, eq);
      const uint64_t value = to_u64(pair.substr(eq + 1)).value_or(0);
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
    for (std::string_view line : split_lines(text)) {
      const std::vector<std::string_view> words = split_words(line);
      uint32_t major = 0, minor = 0;
      if (words.size() < 3 || !parse_device(words[0], &major, &minor)) continue;
      const std::string_view op = words[1];
      const uint64_t n = to_u64(words[2]).value_or(0);
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
