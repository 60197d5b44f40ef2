// Gives back the stack that start-up and past events touched. A page of stack, once written,
// counts in husk's RSS for as long as husk runs, though only the frames of its wait are live
// while it is idle: parsing the options and the services' config files, starting the services
// and logging go 6 to 8 KiB deeper. Called before an untimed wait (at most once a second), it
// hands the pages below the caller's frame back to the kernel (madvise MADV_DONTNEED); the next
// event that goes as deep finds them again as fresh zero pages. husk handles signals
// synchronously (no handler ever runs on this stack), so nothing lives below the caller.
#pragma once

#include <cstdint>

namespace husk {

class StackTrim {
 public:
  // At most once a second: the pages below the caller's frame back to the kernel.
  void when_idle(std::int64_t now) {
    if (now - last_ms_ < 1000) return;
    last_ms_ = now;
    release_below_caller();
  }

 private:
  static void release_below_caller();
  std::int64_t last_ms_ = -1000;
};

}  // namespace husk
