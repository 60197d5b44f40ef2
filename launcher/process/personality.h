// personality: linux.personality -> the personality(2) value.
#pragma once

#include <optional>
#include <string_view>

#include "apply_failure.h"
#include "error.h"
#include "oci_config.h"

namespace husk::process {

// domain "LINUX" (PER_LINUX) or "LINUX32" (PER_LINUX32), or'ed with the named flags
// (ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, ...). Unknown names are errors naming the field.
Result<unsigned long> prepare_personality(const oci::Personality& personality);

ApplyFailure apply_personality(unsigned long persona);

}  // namespace husk::process
