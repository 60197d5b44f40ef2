// device_filter: cgroup v2 device access as an eBPF program (BPF_PROG_TYPE_CGROUP_DEVICE),
// assembled by hand from the OCI rule list, then loaded and attached with bpf(2).
//
// Semantics, as for runc: the default is deny, and for each access (mknod, read, write) the
// last rule that matches the device and names that access decides. A request for several
// accesses (open O_RDWR asks for read and write) passes only when each of them does.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <vector>

#include "error.h"
#include "resources.h"

namespace husk::cgroups {

// The program for `rules` (already checked: type a, b or c; access a subset of "rwm").
std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules);

// Loads `program` and attaches it to the v2 cgroup directory `dir` (BPF_F_ALLOW_MULTI), then
// detaches the device programs attached there before, so that an update replaces the rules.
Status set_device_program(const std::string& dir, const std::vector<bpf_insn>& program);

}  // namespace husk::cgroups
