// A libFuzzer target for parse_record(), what every later command reads from a container's
// state.json: any bytes in, a Record or one Error out, never a crash, a hang or a leak; and a
// record that parses writes back to JSON that parses to the same text. No I/O.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "state/record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto record = husk::launch::parse_record(text);
  if (!record.ok()) {
    if (record.error().message().empty()) __builtin_trap();  // errors say something
    return 0;
  }
  const std::string written = husk::launch::record_json(*record);
  auto again = husk::launch::parse_record(written);
  if (!again.ok() || husk::launch::record_json(*again) != written) __builtin_trap();
  return 0;
}
