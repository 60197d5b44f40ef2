// fault_injection: a test build (meson -Dfault_injection=true) fails on purpose at the set-up
// step that the HUSK_FAULT environment variable names, so that tests can check that a failure
// at any step leaves nothing behind. In every other build the check compiles to nothing and
// the variable is never read.
//
//   HUSK_TRY(injected_fault("cgroup"));
#pragma once

#include <string_view>

#include "error.h"

#ifdef HUSK_FAULT_INJECTION
#include <cstdlib>
#include <string>
#endif

namespace husk {

#ifdef HUSK_FAULT_INJECTION
inline Status injected_fault(std::string_view step) {
  const char* wanted = std::getenv("HUSK_FAULT");
  if (wanted == nullptr || step != wanted) return {};
  return Error("fault injected at " + std::string(step));
}
#else
inline Status injected_fault(std::string_view) { return {}; }
#endif

}  // namespace husk
