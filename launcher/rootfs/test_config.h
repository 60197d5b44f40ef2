// test_config: config pieces shared by the rootfs tests.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "oci_config.h"

namespace husk::rootfs::testing {

inline oci::Mount mount_of(std::string destination, std::string type, std::string source,
                           std::vector<std::string> options) {
  oci::Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

// The mounts `runc spec` writes, in its order.
inline std::vector<oci::Mount> runc_spec_mounts() {
  return {
      mount_of("/proc", "proc", "proc", {}),
      mount_of("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount_of("/dev/pts", "devpts", "devpts",
               {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount_of("/dev/shm", "tmpfs", "shm",
               {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount_of("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount_of("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount_of("/sys/fs/cgroup", "cgroup", "cgroup",
               {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };
}

}  // namespace husk::rootfs::testing
