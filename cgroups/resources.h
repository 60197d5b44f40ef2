// Resources: the OCI runtime-spec `linux.resources` block as plain data. An unset optional
// means "leave the kernel's value alone". Values are as the spec gives them (v1 units: cpu
// shares, blkio weight); the cgroup drivers convert for v2.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace husk::cgroups {

struct DeviceRule {  // linux.resources.devices[]
  bool allow = false;
  std::optional<char> type{};      // 'a', 'c' or 'b'; unset means 'a'
  std::optional<int64_t> major{};  // unset means any (*)
  std::optional<int64_t> minor{};
  std::string access{};  // subset of "rwm"; empty means "rwm"
};

struct MemoryLimits {                    // linux.resources.memory
  std::optional<int64_t> limit{};        // -1: unlimited
  std::optional<int64_t> reservation{};  // soft limit (v2 memory.low)
  std::optional<int64_t> swap{};         // memory+swap on v1; -1: unlimited
  std::optional<int64_t> kernel{};       // deprecated; v1 only
  std::optional<int64_t> kernel_tcp{};   // deprecated; v1 only
  std::optional<uint64_t> swappiness{};
  std::optional<bool> disable_oom_killer{};
  std::optional<bool> use_hierarchy{};
  std::optional<bool> check_before_update{};
};

struct CpuLimits {  // linux.resources.cpu
  std::optional<uint64_t> shares{};
  std::optional<int64_t> quota{};  // -1: unlimited
  std::optional<uint64_t> burst{};
  std::optional<uint64_t> period{};
  std::optional<int64_t> realtime_runtime{};
  std::optional<uint64_t> realtime_period{};
  std::optional<std::string> cpus{};
  std::optional<std::string> mems{};
  std::optional<int64_t> idle{};
};

struct PidsLimit {    // linux.resources.pids
  int64_t limit = 0;  // < 0: unlimited; 0: no new process (runtime-spec 1.3)
};

struct BlockIoDevice {  // weightDevice[] and throttle*Device[]
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight{};       // weightDevice only
  std::optional<uint16_t> leaf_weight{};  // weightDevice only
  uint64_t rate = 0;                      // throttle devices only
};

struct BlockIoLimits {  // linux.resources.blockIO
  std::optional<uint16_t> weight{};
  std::optional<uint16_t> leaf_weight{};
  std::vector<BlockIoDevice> weight_device{};
  std::vector<BlockIoDevice> throttle_read_bps_device{};
  std::vector<BlockIoDevice> throttle_write_bps_device{};
  std::vector<BlockIoDevice> throttle_read_iops_device{};
  std::vector<BlockIoDevice> throttle_write_iops_device{};
};

struct HugepageLimit {      // linux.resources.hugepageLimits[]
  std::string page_size{};  // "2MB", "1GB", ...
  uint64_t limit = 0;
};

struct NetworkPriority {
  std::string name{};  // interface
  uint32_t priority = 0;
};

struct NetworkLimits {  // linux.resources.network (v1 only)
  std::optional<uint32_t> class_id{};
  std::vector<NetworkPriority> priorities{};
};

struct RdmaLimit {
  std::optional<uint32_t> hca_handles{};
  std::optional<uint32_t> hca_objects{};
};

struct Resources {
  std::vector<DeviceRule> devices{};
  std::optional<MemoryLimits> memory{};
  std::optional<CpuLimits> cpu{};
  std::optional<PidsLimit> pids{};
  std::optional<BlockIoLimits> block_io{};
  std::vector<HugepageLimit> hugepage_limits{};
  std::optional<NetworkLimits> network{};
  std::map<std::string, RdmaLimit> rdma{};       // by device name
  std::map<std::string, std::string> unified{};  // v2 file name -> value
};

}  // namespace husk::cgroups
