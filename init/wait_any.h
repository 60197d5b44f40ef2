// wait4(-1, &status, WNOHANG, nullptr) as one inline system call, for the reaping loop, which
// runs it once per ended process and once more. libc's waitpid goes through its cancellation
// wrapper and errno (about 30 instructions in musl); this is the trap alone. Other
// architectures fall back to syscall(2).
#pragma once

#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

namespace husk {

// Returns the pid of an ended child (its wait status in `status`), 0 when children are left but
// none has ended, or -errno (-ECHILD: no child at all; -EINTR).
inline long wait_any_nohang(int* status) {
#if defined(__x86_64__)
  long ret;
  register long r10 asm("r10") = 0;
  asm volatile("syscall"
               : "=a"(ret)
               : "0"(long{SYS_wait4}), "D"(-1L), "S"(status), "d"(long{WNOHANG}), "r"(r10)
               : "rcx", "r11", "memory");
  return ret;
#elif defined(__aarch64__)
  register long x8 asm("x8") = SYS_wait4;
  register long x0 asm("x0") = -1;
  register long x1 asm("x1") = reinterpret_cast<long>(status);
  register long x2 asm("x2") = WNOHANG;
  register long x3 asm("x3") = 0;
  asm volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
  return x0;
#else
  long ret = syscall(SYS_wait4, -1, status, WNOHANG, nullptr);
  return ret < 0 ? -errno : ret;
#endif
}

}  // namespace husk
