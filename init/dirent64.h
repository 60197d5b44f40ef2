// One record of getdents64(2), read into a stack buffer: directories are listed without
// opendir, which would allocate.
#pragma once

#include <cstdint>

namespace husk {

struct LinuxDirent64 {
  std::uint64_t d_ino;
  std::int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
};

}  // namespace husk
