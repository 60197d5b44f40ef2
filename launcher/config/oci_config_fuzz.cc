// A libFuzzer target for parse_config(): any bytes in, a Config or one Error out, never a crash,
// a hang or a leak. No I/O.
//
// meson builds oci_config_fuzz_replay with any compiler; `meson test --suite fuzz` feeds it every
// file of tests/launcher/corpus. To fuzz for real with clang's libFuzzer (Debian:
// libclang-rt-14-dev), from the repository root:
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE
//     -Icommon -Icgroups -Ilauncher/config launcher/config/oci_config_fuzz.cc
//     launcher/config/oci_config.cc launcher/config/oci_names.cc launcher/config/read_file.cc
//     -o /tmp/oci_config_fuzz                                  (one command line)
//   mkdir -p /tmp/oci_corpus
//   /tmp/oci_config_fuzz -dict=launcher/config/oci_config_fuzz.dict -max_total_time=600
//     /tmp/oci_corpus tests/launcher/corpus                    (one command line)
//
// New inputs land in /tmp/oci_corpus. Crashers, and inputs that reach new code, go to
// tests/launcher/corpus/found/ (hand-written seeds stay at the top of the corpus):
//
//   mkdir /tmp/merged && cp -r tests/launcher/corpus/. /tmp/merged
//   /tmp/oci_config_fuzz -merge=1 -use_counters=0 /tmp/merged /tmp/oci_corpus
//
// then copy the files it added to found/.
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
