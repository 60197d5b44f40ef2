// A libFuzzer target for parse_config(): any bytes in, a Config or one Error out, never a crash,
// a hang or a leak. No I/O.
//
// tests/fuzz/meson.build builds a replay of the in-tree corpus (tests/launcher/corpus, `meson
// test --suite fuzz`) and, with -Dfuzzing=true and clang, the libFuzzer binary that
// scripts/fuzz runs (scripts/fuzz --merge adds what it finds to tests/launcher/corpus/found/).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "oci_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  husk::Result<husk::oci::Config> config = husk::oci::parse_config(text);
  if (!config.ok() && config.error().message().empty()) __builtin_trap();  // errors say something
  return 0;
}
