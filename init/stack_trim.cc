#include "stack_trim.h"

#include <sys/auxv.h>
#include <sys/mman.h>

namespace husk {

// Not inlined: its frame lies below the caller's. The page holding it and the 512 bytes below
// it (the madvise call's own frames: a few words) are kept; the 64 KiB below, deeper than any
// path of husk's, go. Parts of that window below the stack's mapping make madvise fail (ENOMEM)
// after it has released the mapped part: nothing to report.
[[gnu::noinline]] void StackTrim::release_below_caller() {
  const std::uintptr_t page = getauxval(AT_PAGESZ);
  constexpr std::uintptr_t kWindow = std::uintptr_t{64} * 1024;
  volatile char here = 0;
  const std::uintptr_t end = (reinterpret_cast<std::uintptr_t>(&here) - 512) & ~(page - 1);
  if (end < kWindow) return;
  // NOLINTNEXTLINE(performance-no-int-to-ptr): an address of the stack, below this frame
  madvise(reinterpret_cast<void*>(end - kWindow), kWindow, MADV_DONTNEED);
}

}  // namespace husk
