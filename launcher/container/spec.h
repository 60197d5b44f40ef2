// spec_file: `launch spec` writes the default config.json into a bundle, refusing to replace one.
#pragma once

#include <string>

#include "error.h"

namespace husk::launch {

struct SpecOptions {
  std::string bundle = ".";
  bool rootless = false;
};

Status write_default_spec(const SpecOptions& options);

}  // namespace husk::launch
