// copy_tree: a directory's contents copied into another directory (for "tmpcopyup": a tmpfs that
// starts with what it covers). Nothing is followed: symlinks are copied as links; owners, modes
// and times are kept.
#pragma once

#include "error.h"

namespace husk::rootfs {

// Copies what is in `from_dir` (an fd opened O_RDONLY | O_DIRECTORY) into `to_dir` (any fd of a
// directory, O_PATH will do). Regular files, directories, symlinks, device nodes and fifos.
Status copy_tree(int from_dir, int to_dir);

}  // namespace husk::rootfs
