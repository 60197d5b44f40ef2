#include "mount_options.h"

#include <linux/mount.h>
#include <sys/mount.h>

#include <array>

#include "json_text.h"

namespace husk::rootfs {
namespace {

#ifndef MS_NOSYMFOLLOW
constexpr unsigned long MS_NOSYMFOLLOW = 256;
#endif

// A word that sets or clears mount(2) flags.
struct FlagWord {
  std::string_view word;
  bool clear;
  unsigned long flags;
};

constexpr std::array kFlagWords{
    FlagWord{"defaults", false, 0},
    FlagWord{"ro", false, MS_RDONLY},
    FlagWord{"rw", true, MS_RDONLY},
    FlagWord{"nosuid", false, MS_NOSUID},
    FlagWord{"suid", true, MS_NOSUID},
    FlagWord{"nodev", false, MS_NODEV},
    FlagWord{"dev", true, MS_NODEV},
    FlagWord{"noexec", false, MS_NOEXEC},
    FlagWord{"exec", true, MS_NOEXEC},
    FlagWord{"sync", false, MS_SYNCHRONOUS},
    FlagWord{"async", true, MS_SYNCHRONOUS},
    FlagWord{"dirsync", false, MS_DIRSYNC},
    FlagWord{"remount", false, MS_REMOUNT},
    FlagWord{"mand", false, MS_MANDLOCK},
    FlagWord{"nomand", true, MS_MANDLOCK},
    FlagWord{"noatime", false, MS_NOATIME},
    FlagWord{"atime", true, MS_NOATIME},
    FlagWord{"nodiratime", false, MS_NODIRATIME},
    FlagWord{"diratime", true, MS_NODIRATIME},
    FlagWord{"relatime", false, MS_RELATIME},
    FlagWord{"norelatime", true, MS_RELATIME},
    FlagWord{"strictatime", false, MS_STRICTATIME},
    FlagWord{"nostrictatime", true, MS_STRICTATIME},
    FlagWord{"nosymfollow", false, MS_NOSYMFOLLOW},
    FlagWord{"symfollow", true, MS_NOSYMFOLLOW},
    FlagWord{"bind", false, MS_BIND},
    FlagWord{"rbind", false, MS_BIND | MS_REC},
};

struct PropagationWord {
  std::string_view word;
  unsigned long flags;
};

constexpr std::array kPropagationWords{
    PropagationWord{"private", MS_PRIVATE},
    PropagationWord{"rprivate", MS_PRIVATE | MS_REC},
    PropagationWord{"shared", MS_SHARED},
    PropagationWord{"rshared", MS_SHARED | MS_REC},
    PropagationWord{"slave", MS_SLAVE},
    PropagationWord{"rslave", MS_SLAVE | MS_REC},
    PropagationWord{"unbindable", MS_UNBINDABLE},
    PropagationWord{"runbindable", MS_UNBINDABLE | MS_REC},
};

// The recursive forms ("rro", "rnosuid", ...): mount_setattr(2) attributes with AT_RECURSIVE.
struct AttrWord {
  std::string_view word;
  bool clear;
  uint64_t attr;
};

constexpr std::array kAttrWords{
    AttrWord{"rro", false, MOUNT_ATTR_RDONLY},
    AttrWord{"rrw", true, MOUNT_ATTR_RDONLY},
    AttrWord{"rnosuid", false, MOUNT_ATTR_NOSUID},
    AttrWord{"rsuid", true, MOUNT_ATTR_NOSUID},
    AttrWord{"rnodev", false, MOUNT_ATTR_NODEV},
    AttrWord{"rdev", true, MOUNT_ATTR_NODEV},
    AttrWord{"rnoexec", false, MOUNT_ATTR_NOEXEC},
    AttrWord{"rexec", true, MOUNT_ATTR_NOEXEC},
    AttrWord{"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    AttrWord{"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    AttrWord{"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    AttrWord{"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

// The atime mode is one field of mount_setattr(2); "ratime", "rnorelatime" and
// "rnostrictatime" go back to the kernel's default, relatime (MOUNT_ATTR_RELATIME is 0).
struct AtimeWord {
  std::string_view word;
  uint64_t mode;
};

constexpr std::array kAtimeWords{
    AtimeWord{"rrelatime", MOUNT_ATTR_RELATIME},
    AtimeWord{"rnorelatime", MOUNT_ATTR_RELATIME},
    AtimeWord{"rnoatime", MOUNT_ATTR_NOATIME},
    AtimeWord{"ratime", MOUNT_ATTR_RELATIME},
    AtimeWord{"rstrictatime", MOUNT_ATTR_STRICTATIME},
    AtimeWord{"rnostrictatime", MOUNT_ATTR_RELATIME},
};

Error word_error(std::string_view word, std::string_view why) {
  return Error("option " + json_quote(word) + ": " + std::string(why));
}

}  // namespace

bool MountOptions::bind() const { return (flags & MS_BIND) != 0; }
bool MountOptions::recursive() const { return bind() && (flags & MS_REC) != 0; }

std::string MountOptions::data_string() const {
  std::string joined;
  for (const auto& word : data) {
    if (!joined.empty()) joined += ',';
    joined += word;
  }
  return joined;
}

Result<unsigned long> parse_propagation(std::string_view name) {
  for (const auto& p : kPropagationWords) {
    if (p.word == name) return p.flags;
  }
  return Error("unknown propagation " + json_quote(name));
}

namespace {

uint64_t plain_attrs(unsigned long ms_flags) {
  uint64_t attr = 0;
  if (ms_flags & MS_RDONLY) attr |= MOUNT_ATTR_RDONLY;
  if (ms_flags & MS_NOSUID) attr |= MOUNT_ATTR_NOSUID;
  if (ms_flags & MS_NODEV) attr |= MOUNT_ATTR_NODEV;
  if (ms_flags & MS_NOEXEC) attr |= MOUNT_ATTR_NOEXEC;
  if (ms_flags & MS_NODIRATIME) attr |= MOUNT_ATTR_NODIRATIME;
  if (ms_flags & MS_NOSYMFOLLOW) attr |= MOUNT_ATTR_NOSYMFOLLOW;
  return attr;
}

}  // namespace

MountAttrChange top_attr_change(const MountOptions& options) {
  MountAttrChange change{plain_attrs(options.flags), plain_attrs(options.clear_flags)};
  constexpr unsigned long kAtime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
  if ((options.flags | options.clear_flags) & kAtime) {
    change.clr |= MOUNT_ATTR__ATIME;
    if (options.flags & MS_STRICTATIME) {
      change.set |= MOUNT_ATTR_STRICTATIME;
    } else if (options.flags & MS_NOATIME) {
      change.set |= MOUNT_ATTR_NOATIME;
    }  // else relatime, which is 0
  }
  return change;
}

Result<MountOptions> parse_mount_options(const std::vector<std::string>& words) {
  MountOptions out;
  bool recursive_attr_seen = false;
  for (const auto& word : words) {
    if (word.empty()) return Error("empty option word");
    if (word.find(',') != std::string::npos) {
      return word_error(word, "a word may not contain ','");
    }
    bool known = false;
    for (const auto& f : kFlagWords) {
      if (f.word != word) continue;
      known = true;
      if (f.clear) {
        out.flags &= ~f.flags;
        out.clear_flags |= f.flags;
      } else {
        out.flags |= f.flags;
        out.clear_flags &= ~f.flags;
      }
      // The atime modes exclude each other: the last word wins.
      constexpr unsigned long kAtime = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;
      if (!f.clear && (f.flags & kAtime)) out.flags = (out.flags & ~kAtime) | f.flags;
    }
    for (const auto& p : kPropagationWords) {
      if (p.word != word) continue;
      known = true;
      out.propagation.push_back(p.flags);
    }
    for (const auto& a : kAttrWords) {
      if (a.word != word) continue;
      known = true;
      recursive_attr_seen = true;
      if (a.clear) {
        out.rec_attr_set &= ~a.attr;
        out.rec_attr_clr |= a.attr;
      } else {
        out.rec_attr_set |= a.attr;
        out.rec_attr_clr &= ~a.attr;
      }
    }
    for (const auto& a : kAtimeWords) {
      if (a.word != word) continue;
      known = recursive_attr_seen = true;
      out.rec_attr_set = (out.rec_attr_set & ~MOUNT_ATTR__ATIME) | a.mode;
      out.rec_attr_clr |= MOUNT_ATTR__ATIME;
    }
    if (word == "idmap" || word == "ridmap") {
      known = true;
      out.idmap = true;
      out.idmap_recursive = out.idmap_recursive || word == "ridmap";
    }
    if (word == "tmpcopyup") {
      known = true;
      out.tmpcopyup = true;
    }
    if (!known) out.data.push_back(word);
  }
  if (recursive_attr_seen && !out.bind()) {
    return Error("recursive options (rro, rnosuid, ...) need \"bind\" or \"rbind\"");
  }
  if (out.idmap && !out.bind()) return Error("option \"idmap\" needs \"bind\" or \"rbind\"");
  return out;
}

}  // namespace husk::rootfs
