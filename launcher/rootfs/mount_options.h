// mount_options: the option words of a mounts[] entry ("ro", "rbind", "rslave", "mode=755", ...)
// as plain data: mount(2) flags to set and to clear, propagation changes, recursive attributes for
// mount_setattr(2), idmapping, and the words left for the filesystem itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace husk::rootfs {

struct MountOptions {
  unsigned long flags = 0;        // MS_* to set (MS_RDONLY, MS_NOSUID, ..., MS_BIND, MS_REC)
  unsigned long clear_flags = 0;  // MS_* a word asked to clear ("rw", "suid", "atime", ...)
  std::vector<unsigned long> propagation;  // in order, e.g. MS_SLAVE | MS_REC for "rslave"
  uint64_t rec_attr_set = 0;      // MOUNT_ATTR_* applied with AT_RECURSIVE ("rro", "rnosuid", ...)
  uint64_t rec_attr_clr = 0;      // MOUNT_ATTR_* cleared with AT_RECURSIVE ("rrw", "rsuid", ...)
  bool idmap = false;             // "idmap" or "ridmap"
  bool idmap_recursive = false;   // "ridmap"
  bool tmpcopyup = false;         // a tmpfs that starts with a copy of what it covers
  std::vector<std::string> data;  // the words the filesystem itself reads ("mode=755", ...)

  bool bind() const;                // "bind" or "rbind"
  bool recursive() const;           // "rbind"
  std::string data_string() const;  // data joined with ','
};

// Parses the option words. Unknown words are the filesystem's (data). Errors name the word:
// `option "mode=755,uid=0": a word may not contain ','`.
Result<MountOptions> parse_mount_options(const std::vector<std::string>& words);

// "private", "rprivate", "shared", "rshared", "slave", "rslave", "unbindable", "runbindable" to
// MS_* flags (with MS_REC for the r- forms). linux.rootfsPropagation uses the same names.
Result<unsigned long> parse_propagation(std::string_view name);

// The mount_setattr(2) change for the top mount of a bind: the per-mount words (ro/rw, nosuid/suid,
// nodev/dev, noexec/exec, atime modes, nodiratime, nosymfollow) as MOUNT_ATTR_* to set and clear.
// Superblock words (sync, dirsync, mand) do not apply to a bind and are left out.
struct MountAttrChange {
  uint64_t set = 0;
  uint64_t clr = 0;
  bool empty() const { return set == 0 && clr == 0; }
};
MountAttrChange top_attr_change(const MountOptions& options);

}  // namespace husk::rootfs
