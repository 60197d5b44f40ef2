// spec_file: `launch spec` writes the default config.json into a bundle, refusing to replace one.
#pragma once

#include "cli.h"
#include "error.h"

namespace husk::launch {

Status write_default_spec(const SpecOptions& options);

}  // namespace husk::launch
