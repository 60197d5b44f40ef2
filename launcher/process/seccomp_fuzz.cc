// A libFuzzer target for the seccomp translation: the input is the JSON of linux.seccomp; what
// the parser accepts is compiled to a BPF program with libseccomp (nothing is loaded). Never a
// crash; an error always says something. Built and run by tests/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>

#include "oci_config.h"
#include "seccomp_filter.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string json = R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "linux": {"seccomp": )";
  json.append(reinterpret_cast<const char*>(data), size);
  json += "}}";
  husk::Result<husk::oci::Config> config = husk::oci::parse_config(json);
  if (!config.ok() || !config->linux_config || !config->linux_config->seccomp) return 0;
  husk::Result<husk::process::CompiledSeccomp> compiled =
      husk::process::compile_seccomp(*config->linux_config->seccomp);
  if (!compiled.ok() && compiled.error().message().empty()) __builtin_trap();
  if (compiled.ok() && compiled->program.empty()) __builtin_trap();  // a filter has instructions
  return 0;
}
