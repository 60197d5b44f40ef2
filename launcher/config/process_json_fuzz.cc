// A libFuzzer target for parse_process_json(), what `launch exec --process FILE` reads: any
// bytes in, a Process or one Error out, never a crash, a hang or a leak. No I/O.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto process = husk::oci::parse_process_json(text, "process.json");
  if (!process.ok() && process.error().message().empty()) __builtin_trap();  // errors say something
  return 0;
}
