// A libFuzzer target for the option words of a mounts[] entry: any words in, MountOptions or one
// Error out, never a crash. The input is the words, one a line. Built and run by tests/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mount_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> words;
  while (!text.empty()) {
    size_t end = text.find('\n');
    words.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  husk::Result<husk::rootfs::MountOptions> options = husk::rootfs::parse_mount_options(words);
  if (!options.ok()) {
    if (options.error().message().empty()) __builtin_trap();  // errors say something
    return 0;
  }
  (void)husk::rootfs::top_attr_change(*options);
  (void)options->data_string();
  for (const std::string& word : words) (void)husk::rootfs::parse_propagation(word);
  return 0;
}
