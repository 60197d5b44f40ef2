#include "personality.h"

#include <sys/personality.h>

#include <array>
#include <cerrno>
#include <string>

#include "names.h"

namespace husk::process {
namespace {

constexpr std::array<NamedValue<unsigned long>, 2> kDomains{{
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
}};

constexpr std::array<NamedValue<unsigned long>, 11> kFlags{{
    {"UNAME26", UNAME26},
    {"ADDR_NO_RANDOMIZE", ADDR_NO_RANDOMIZE},
    {"FDPIC_FUNCPTRS", FDPIC_FUNCPTRS},
    {"MMAP_PAGE_ZERO", MMAP_PAGE_ZERO},
    {"ADDR_COMPAT_LAYOUT", ADDR_COMPAT_LAYOUT},
    {"READ_IMPLIES_EXEC", READ_IMPLIES_EXEC},
    {"ADDR_LIMIT_32BIT", ADDR_LIMIT_32BIT},
    {"SHORT_INODE", SHORT_INODE},
    {"WHOLE_SECONDS", WHOLE_SECONDS},
    {"STICKY_TIMEOUTS", STICKY_TIMEOUTS},
    {"ADDR_LIMIT_3GB", ADDR_LIMIT_3GB},
}};

}  // namespace

Result<unsigned long> prepare_personality(const oci::Personality& personality) {
  std::optional<unsigned long> persona = value_of<unsigned long>(kDomains, personality.domain);
  if (!persona)
    return Error(".linux.personality.domain: unknown domain \"" + personality.domain +
                 "\" (LINUX or LINUX32)");
  for (size_t i = 0; i < personality.flags.size(); ++i) {
    std::optional<unsigned long> flag = value_of<unsigned long>(kFlags, personality.flags[i]);
    if (!flag)
      return Error(".linux.personality.flags[" + std::to_string(i) +
                   "]: unknown flag \"" + personality.flags[i] + "\"");
    *persona |= *flag;
  }
  return *persona;
}

ApplyFailure apply_personality(unsigned long persona) {
  if (personality(persona) == -1) return {Stage::kPersonality, 0, errno};
  return ApplyFailure::none();
}

}  // namespace husk::process
