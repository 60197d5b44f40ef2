#include "plan.h"

#include <gtest/gtest.h>

#include <ostream>

namespace husk::cgroups {

void PrintTo(const Write& w, std::ostream* os) {
  *os << (w.version == Version::kV1 ? "v1 " : "v2 ") << w.controller << " " << w.file << " = \""
      << w.value << "\" (" << w.field << ")";
}

namespace {

constexpr Version kV1 = Version::kV1;
constexpr Version kV2 = Version::kV2;

std::vector<Write> writes(const Resources& r, Version v) {
  auto p = plan(r, v);
  EXPECT_TRUE(p.ok()) << p.error().text();
  return p.ok() ? p->writes : std::vector<Write>();
}

std::string error(const Resources& r, Version v) {
  auto p = plan(r, v);
  EXPECT_FALSE(p.ok());
  return p.ok() ? "" : p.error().text();
}

Write w(Version v, std::string controller, std::string file, std::string value,
        const std::string& field) {
  return Write{v, std::move(controller), std::move(file), std::move(value),
               "linux.resources." + field};
}

Write fallback(Write write, std::string file) {
  write.fallback_file = std::move(file);
  return write;
}

TEST(PlanTest, EmptyResourcesWriteNothing) {
  EXPECT_TRUE(writes(Resources{}, kV1).empty());
  EXPECT_TRUE(writes(Resources{}, kV2).empty());
}

TEST(PlanTest, MemoryV1) {
  Resources r;
  r.memory = MemoryLimits{.limit = 1048576,
                          .reservation = 524288,
                          .swap = 2097152,
                          .kernel = 4096,
                          .kernel_tcp = 8192,
                          .swappiness = 10,
                          .disable_oom_killer = true,
                          .use_hierarchy = true};
  const std::vector<Write> expected = {
      w(kV1, "memory", "memory.memsw.limit_in_bytes", "-1", "memory.swap"),
      w(kV1, "memory", "memory.limit_in_bytes", "1048576", "memory.limit"),
      w(kV1, "memory", "memory.memsw.limit_in_bytes", "2097152", "memory.swap"),
      w(kV1, "memory", "memory.soft_limit_in_bytes", "524288", "memory.reservation"),
      w(kV1, "memory", "memory.kmem.limit_in_bytes", "4096", "memory.kernel"),
      w(kV1, "memory", "memory.kmem.tcp.limit_in_bytes", "8192", "memory.kernelTCP"),
      w(kV1, "memory", "memory.swappiness", "10", "memory.swappiness"),
      w(kV1, "memory", "memory.oom_control", "1", "memory.disableOOMKiller"),
      w(kV1, "memory", "memory.use_hierarchy", "1", "memory.useHierarchy"),
  };
  EXPECT_EQ(writes(r, kV1), expected);
}

TEST(PlanTest, MemoryV1UnlimitedAndAlone) {
  Resources r;
  r.memory = MemoryLimits{.limit = -1, .swap = -1};
  EXPECT_EQ(
      writes(r, kV1),
      (std::vector<Write>{w(kV1, "memory", "memory.memsw.limit_in_bytes", "-1", "memory.swap"),
                          w(kV1, "memory", "memory.limit_in_bytes", "-1", "memory.limit")}));
  r.memory = MemoryLimits{.swap = 4096};
  EXPECT_EQ(
      writes(r, kV1),
      (std::vector<Write>{w(kV1, "memory", "memory.memsw.limit_in_bytes", "4096", "memory.swap")}));
  r.memory = MemoryLimits{.limit = 0, .swap = 0};  // zeros are "unset", as for runc
  EXPECT_TRUE(writes(r, kV1).empty());
}

TEST(PlanTest, MemoryV2) {
  Resources r;
  r.memory = MemoryLimits{.limit = 1048576,
                          .reservation = 524288,
                          .swap = 3145728,
                          .kernel = 4096,
                          .swappiness = 10,
                          .disable_oom_killer = false};
  // swap is memory+swap in OCI; memory.swap.max is the swap alone.
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{w(kV2, "memory", "memory.max", "1048576", "memory.limit"),
                                w(kV2, "memory", "memory.swap.max", "2097152", "memory.swap"),
                                w(kV2, "memory", "memory.low", "524288", "memory.reservation")}));
}

TEST(PlanTest, MemoryV2MinusOneIsMax) {
  Resources r;
  r.memory = MemoryLimits{.limit = -1, .reservation = -1, .swap = -1};
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{w(kV2, "memory", "memory.max", "max", "memory.limit"),
                                w(kV2, "memory", "memory.swap.max", "max", "memory.swap"),
                                w(kV2, "memory", "memory.low", "max", "memory.reservation")}));
  r.memory = MemoryLimits{.limit = 4096, .swap = 4096};  // no swap at all
  EXPECT_EQ(writes(r, kV2)[1], w(kV2, "memory", "memory.swap.max", "0", "memory.swap"));
}

TEST(PlanTest, MemoryV2SwapErrors) {
  Resources r;
  r.memory = MemoryLimits{.swap = 4096};
  EXPECT_EQ(error(r, kV2),
            "linux.resources.memory.swap: 4096 needs a memory limit on cgroup v2 "
            "(memory.swap.max is swap minus limit)");
  r.memory = MemoryLimits{.limit = 8192, .swap = 4096};
  EXPECT_EQ(error(r, kV2), "linux.resources.memory.swap: 4096 is below memory.limit 8192");
}

TEST(PlanTest, MemoryCheckBeforeUpdate) {
  Resources r;
  r.memory = MemoryLimits{.limit = 4096, .check_before_update = true};
  auto v1 = plan(r, kV1);
  ASSERT_TRUE(v1.ok());
  EXPECT_EQ(v1->check, (UsageCheck{kV1, "memory.usage_in_bytes", 4096}));
  auto v2 = plan(r, kV2);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ(v2->check, (UsageCheck{kV2, "memory.current", 4096}));
  r.memory->check_before_update = false;
  EXPECT_FALSE(plan(r, kV2)->check);
}

TEST(PlanTest, CpuV1) {
  Resources r;
  r.cpu = CpuLimits{.shares = 512,
                    .quota = 50000,
                    .burst = 1000,
                    .period = 100000,
                    .realtime_runtime = 950000,
                    .realtime_period = 1000000,
                    .cpus = "0-1",
                    .mems = "0",
                    .idle = 1};
  EXPECT_EQ(writes(r, kV1),
            (std::vector<Write>{w(kV1, "cpu", "cpu.shares", "512", "cpu.shares"),
                                w(kV1, "cpu", "cpu.cfs_period_us", "100000", "cpu.period"),
                                w(kV1, "cpu", "cpu.cfs_quota_us", "50000", "cpu.quota"),
                                w(kV1, "cpu", "cpu.cfs_burst_us", "1000", "cpu.burst"),
                                w(kV1, "cpu", "cpu.rt_period_us", "1000000", "cpu.realtimePeriod"),
                                w(kV1, "cpu", "cpu.rt_runtime_us", "950000", "cpu.realtimeRuntime"),
                                w(kV1, "cpu", "cpu.idle", "1", "cpu.idle"),
                                w(kV1, "cpuset", "cpuset.cpus", "0-1", "cpu.cpus"),
                                w(kV1, "cpuset", "cpuset.mems", "0", "cpu.mems")}));
  r.cpu = CpuLimits{.quota = -1};
  EXPECT_EQ(writes(r, kV1),
            (std::vector<Write>{w(kV1, "cpu", "cpu.cfs_quota_us", "-1", "cpu.quota")}));
}

TEST(PlanTest, CpuV2) {
  Resources r;
  r.cpu = CpuLimits{.shares = 1024,
                    .quota = 50000,
                    .burst = 1000,
                    .period = 100000,
                    .cpus = "1",
                    .mems = "0",
                    .idle = 0};
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{w(kV2, "cpu", "cpu.weight", "39", "cpu.shares"),
                                w(kV2, "cpu", "cpu.max", "50000 100000", "cpu.quota"),
                                w(kV2, "cpu", "cpu.max.burst", "1000", "cpu.burst"),
                                w(kV2, "cpu", "cpu.idle", "0", "cpu.idle"),
                                w(kV2, "cpuset", "cpuset.cpus", "1", "cpu.cpus"),
                                w(kV2, "cpuset", "cpuset.mems", "0", "cpu.mems")}));
}

TEST(PlanTest, CpuV2QuotaAndPeriodAlone) {
  Resources r;
  r.cpu = CpuLimits{.quota = -1};
  EXPECT_EQ(writes(r, kV2), (std::vector<Write>{w(kV2, "cpu", "cpu.max", "max", "cpu.quota")}));
  r.cpu = CpuLimits{.quota = 20000};  // keeps the period
  EXPECT_EQ(writes(r, kV2), (std::vector<Write>{w(kV2, "cpu", "cpu.max", "20000", "cpu.quota")}));
  r.cpu = CpuLimits{.period = 50000};
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{w(kV2, "cpu", "cpu.max", "max 50000", "cpu.period")}));
  r.cpu = CpuLimits{.quota = -1, .period = 50000};
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{w(kV2, "cpu", "cpu.max", "max 50000", "cpu.quota")}));
}

TEST(PlanTest, CpuV2RealtimeIsAnError) {
  Resources r;
  r.cpu = CpuLimits{.realtime_runtime = 1000};
  EXPECT_EQ(error(r, kV2), "linux.resources.cpu.realtimeRuntime: not supported on cgroup v2");
  r.cpu = CpuLimits{.realtime_period = 1000};
  EXPECT_EQ(error(r, kV2), "linux.resources.cpu.realtimePeriod: not supported on cgroup v2");
}

TEST(PlanTest, SharesToWeight) {
  EXPECT_EQ(cpu_shares_to_weight(2), 1u);
  EXPECT_EQ(cpu_shares_to_weight(1024), 39u);
  EXPECT_EQ(cpu_shares_to_weight(262144), 10000u);
  EXPECT_EQ(cpu_shares_to_weight(1), 1u);  // clamped to the v1 range
  EXPECT_EQ(cpu_shares_to_weight(1000000), 10000u);
}

TEST(PlanTest, BlkioWeightToIoWeight) {
  EXPECT_EQ(blkio_weight_to_io_weight(10), 1u);
  EXPECT_EQ(blkio_weight_to_io_weight(500), 4950u);
  EXPECT_EQ(blkio_weight_to_io_weight(1000), 10000u);
}

// runtime-spec 1.3: -1 (any negative) is "max", 0 is a limit of no processes at all.
TEST(PlanTest, PidsNegativeIsMaxZeroIsZero) {
  Resources r;
  for (const auto& [limit, value] : std::vector<std::pair<int64_t, std::string>>{
           {-1, "max"}, {-5, "max"}, {0, "0"}, {100, "100"}}) {
    r.pids = PidsLimit{limit};
    EXPECT_EQ(writes(r, kV1),
              (std::vector<Write>{w(kV1, "pids", "pids.max", value, "pids.limit")}));
    EXPECT_EQ(writes(r, kV2),
              (std::vector<Write>{w(kV2, "pids", "pids.max", value, "pids.limit")}));
  }
}

BlockIoLimits block_io() {
  BlockIoLimits b;
  b.weight = 500;
  b.leaf_weight = 300;
  b.weight_device = {BlockIoDevice{.major = 8, .minor = 0, .weight = 100, .leaf_weight = 50}};
  b.throttle_read_bps_device = {BlockIoDevice{.major = 8, .minor = 0, .rate = 1048576}};
  b.throttle_write_bps_device = {BlockIoDevice{.major = 8, .minor = 16, .rate = 0}};
  b.throttle_read_iops_device = {BlockIoDevice{.major = 8, .minor = 0, .rate = 100}};
  b.throttle_write_iops_device = {BlockIoDevice{.major = 8, .minor = 0, .rate = 200}};
  return b;
}

TEST(PlanTest, BlockIoV1) {
  Resources r;
  r.block_io = block_io();
  EXPECT_EQ(
      writes(r, kV1),
      (std::vector<Write>{
          fallback(w(kV1, "blkio", "blkio.weight", "500", "blockIO.weight"), "blkio.bfq.weight"),
          w(kV1, "blkio", "blkio.leaf_weight", "300", "blockIO.leafWeight"),
          fallback(w(kV1, "blkio", "blkio.weight_device", "8:0 100", "blockIO.weightDevice[0]"),
                   "blkio.bfq.weight_device"),
          w(kV1, "blkio", "blkio.leaf_weight_device", "8:0 50", "blockIO.weightDevice[0]"),
          w(kV1, "blkio", "blkio.throttle.read_bps_device", "8:0 1048576",
            "blockIO.throttleReadBpsDevice[0]"),
          w(kV1, "blkio", "blkio.throttle.write_bps_device", "8:16 0",
            "blockIO.throttleWriteBpsDevice[0]"),
          w(kV1, "blkio", "blkio.throttle.read_iops_device", "8:0 100",
            "blockIO.throttleReadIOPSDevice[0]"),
          w(kV1, "blkio", "blkio.throttle.write_iops_device", "8:0 200",
            "blockIO.throttleWriteIOPSDevice[0]")}));
}

TEST(PlanTest, BlockIoV2) {
  Resources r;
  r.block_io = block_io();
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{
                w(kV2, "io", "io.weight", "default 4950", "blockIO.weight"),
                w(kV2, "io", "io.weight", "8:0 910", "blockIO.weightDevice[0]"),
                w(kV2, "io", "io.max", "8:0 rbps=1048576", "blockIO.throttleReadBpsDevice[0]"),
                w(kV2, "io", "io.max", "8:16 wbps=max", "blockIO.throttleWriteBpsDevice[0]"),
                w(kV2, "io", "io.max", "8:0 riops=100", "blockIO.throttleReadIOPSDevice[0]"),
                w(kV2, "io", "io.max", "8:0 wiops=200", "blockIO.throttleWriteIOPSDevice[0]")}));
}

// Each limit also goes to the reservation file where the kernel has one (rsvd: 5.7+).
TEST(PlanTest, Hugepages) {
  Resources r;
  r.hugepage_limits = {{"2MB", 4194304}, {"1GB", 0}};
  const auto rsvd = [](Write write) {
    write.if_present = true;
    return write;
  };
  EXPECT_EQ(
      writes(r, kV1),
      (std::vector<Write>{
          w(kV1, "hugetlb", "hugetlb.2MB.limit_in_bytes", "4194304", "hugepageLimits[0]"),
          rsvd(
              w(kV1, "hugetlb", "hugetlb.2MB.rsvd.limit_in_bytes", "4194304", "hugepageLimits[0]")),
          w(kV1, "hugetlb", "hugetlb.1GB.limit_in_bytes", "0", "hugepageLimits[1]"),
          rsvd(w(kV1, "hugetlb", "hugetlb.1GB.rsvd.limit_in_bytes", "0", "hugepageLimits[1]"))}));
  EXPECT_EQ(writes(r, kV2),
            (std::vector<Write>{
                w(kV2, "hugetlb", "hugetlb.2MB.max", "4194304", "hugepageLimits[0]"),
                rsvd(w(kV2, "hugetlb", "hugetlb.2MB.rsvd.max", "4194304", "hugepageLimits[0]")),
                w(kV2, "hugetlb", "hugetlb.1GB.max", "0", "hugepageLimits[1]"),
                rsvd(w(kV2, "hugetlb", "hugetlb.1GB.rsvd.max", "0", "hugepageLimits[1]"))}));
  r.hugepage_limits = {{"../2MB", 1}};
  EXPECT_EQ(
      error(r, kV2),
      "linux.resources.hugepageLimits[0].pageSize: \"../2MB\" is not a page size such as 2MB");
}

TEST(PlanTest, NetworkIsV1Only) {
  Resources r;
  r.network = NetworkLimits{.class_id = 0x100001, .priorities = {{"eth0", 5}, {"lo", 2}}};
  EXPECT_EQ(writes(r, kV1),
            (std::vector<Write>{
                w(kV1, "net_cls", "net_cls.classid", "1048577", "network.classID"),
                w(kV1, "net_prio", "net_prio.ifpriomap", "eth0 5", "network.priorities[0]"),
                w(kV1, "net_prio", "net_prio.ifpriomap", "lo 2", "network.priorities[1]")}));
  EXPECT_EQ(error(r, kV2), "linux.resources.network.classID: no cgroup v2 equivalent");
}

TEST(PlanTest, Rdma) {
  Resources r;
  r.rdma = {{"mlx5_0", RdmaLimit{.hca_handles = 2, .hca_objects = 2000}},
            {"mlx5_1", RdmaLimit{.hca_objects = 10}}};
  const std::vector<Write> expected = {
      w(kV1, "rdma", "rdma.max", "mlx5_0 hca_handle=2 hca_object=2000", "rdma.mlx5_0"),
      w(kV1, "rdma", "rdma.max", "mlx5_1 hca_object=10", "rdma.mlx5_1")};
  EXPECT_EQ(writes(r, kV1), expected);
  auto v2 = writes(r, kV2);
  ASSERT_EQ(v2.size(), 2u);
  EXPECT_EQ(v2[0].version, kV2);
  EXPECT_EQ(v2[0].value, expected[0].value);
}

TEST(PlanTest, NamesWithBlanksAreRefused) {
  Resources r;
  r.rdma = {{"mlx5_0 hca_handle=1000", RdmaLimit{.hca_handles = 1}}};
  EXPECT_EQ(error(r, kV2), "linux.resources.rdma: \"mlx5_0 hca_handle=1000\" is not a device name");
  r.rdma.clear();
  r.network = NetworkLimits{.priorities = {{"eth0\nlo", 1}}};
  EXPECT_EQ(error(r, kV1),
            "linux.resources.network.priorities[0].name: \"eth0\\nlo\" is not an interface name");
}

std::vector<std::string> v2_rules(const Resources& r) {
  std::vector<std::string> out;
  auto p = plan(r, kV2);
  EXPECT_TRUE(p.ok()) << p.error().text();
  if (p.ok()) {
    for (const DeviceRule& d : p->v2_devices) {
      out.push_back((d.allow ? "allow " : "deny ") + device_rule_text(d));
    }
  }
  return out;
}

// runc's semantics (its emulator, the v1 kernel's): a default and exceptions; a rule of the
// default's kind takes access from the exactly matching exception only. The v2 filter runs the
// resulting list, so a later wildcard allow does not undo an explicit deny.
TEST(PlanTest, DevicesAsRuncsEmulatorLeavesThem) {
  Resources r;
  r.devices = {DeviceRule{.allow = true, .access = "rwm"},
               DeviceRule{.allow = false, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
               DeviceRule{.allow = true, .type = 'c', .access = "m"}};
  EXPECT_EQ(v2_rules(r), (std::vector<std::string>{"allow a *:* rwm", "deny c 1:3 rwm"}));
  r.devices = {DeviceRule{.allow = false, .access = "rwm"},
               DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"},
               DeviceRule{.allow = false, .type = 'c', .major = 1, .minor = 3, .access = "w"},
               DeviceRule{.allow = true, .type = 'c', .major = 136, .access = "rw"},
               DeviceRule{.allow = true, .type = 'c', .major = 136, .access = "m"},
               DeviceRule{.allow = false, .type = 'c', .access = "rwm"}};  // removes c *:* only
  EXPECT_EQ(v2_rules(r),
            (std::vector<std::string>{"deny a *:* rwm", "allow c 1:3 rm", "allow c 136:* rwm"}));
}

// A rule inside an earlier wider exception would be ignored by v1 and is refused by runc: refused
// on both versions.
TEST(PlanTest, DevicesRefuseARuleInsideAWildcardException) {
  Resources r;
  r.devices = {DeviceRule{.allow = false, .access = "rwm"},
               DeviceRule{.allow = true, .type = 'c', .major = 10, .access = "rwm"},
               DeviceRule{.allow = false, .type = 'c', .major = 10, .minor = 200, .access = "w"}};
  for (Version v : {kV1, kV2}) {
    EXPECT_EQ(error(r, v),
              "linux.resources.devices[2]: cannot deny c 10:200 inside an earlier wildcard rule "
              "(the devices cgroup keeps whole rules only)");
  }
  r.devices[1].access = "r";  // no overlap with the wildcard's access: fine
  EXPECT_FALSE(writes(r, kV1).empty());
  r.devices = {DeviceRule{.allow = true, .access = "rwm"},
               DeviceRule{.allow = false, .type = 'b', .access = "rwm"},
               DeviceRule{.allow = true, .type = 'b', .major = 7, .minor = 0, .access = "r"}};
  EXPECT_EQ(error(r, kV2),
            "linux.resources.devices[2]: cannot allow b 7:0 inside an earlier wildcard rule (the "
            "devices cgroup keeps whole rules only)");
}

TEST(PlanTest, DevicesV1DefaultDenyThenRulesInOrder) {
  Resources r;
  r.devices = {DeviceRule{.allow = false, .access = "rwm"},
               DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rw"},
               DeviceRule{.allow = true, .type = 'c', .major = 136},
               DeviceRule{.allow = false, .type = 'b', .minor = 0, .access = "m"}};
  EXPECT_EQ(writes(r, kV1),
            (std::vector<Write>{w(kV1, "devices", "devices.deny", "a *:* rwm", "devices[0]"),
                                w(kV1, "devices", "devices.allow", "c 1:3 rw", "devices[1]"),
                                w(kV1, "devices", "devices.allow", "c 136:* rwm", "devices[2]"),
                                w(kV1, "devices", "devices.deny", "b *:0 m", "devices[3]")}));
  // Rules that do not start with that deny get it first.
  std::vector<DeviceRule> allow_first(r.devices.begin() + 1, r.devices.end());
  Resources without_deny;
  without_deny.devices = allow_first;
  EXPECT_EQ(writes(without_deny, kV1)[0], w(kV1, "devices", "devices.deny", "a", "devices"));
  EXPECT_EQ(writes(without_deny, kV1)[1],
            w(kV1, "devices", "devices.allow", "c 1:3 rw", "devices[0]"));
  auto v2 = plan(r, kV2);
  ASSERT_TRUE(v2.ok());
  EXPECT_TRUE(v2->writes.empty());
  EXPECT_TRUE(v2->set_v2_devices);
  EXPECT_EQ(v2_rules(r),
            (std::vector<std::string>{"deny a *:* rwm", "allow c 1:3 rw", "allow c 136:* rwm"}));
}

TEST(PlanTest, DevicesErrors) {
  Resources r;
  r.devices = {DeviceRule{.allow = true, .type = 'x'}};
  EXPECT_EQ(error(r, kV2), "linux.resources.devices[0].type: \"x\" is not a, b or c");
  r.devices = {DeviceRule{}, DeviceRule{.allow = true, .type = 'c', .access = "rx"}};
  EXPECT_EQ(error(r, kV1), "linux.resources.devices[1].access: \"rx\" is not a subset of rwm");
  r.devices = {DeviceRule{.allow = true, .type = 'c', .major = -1, .minor = 3}};  // -1: any
  EXPECT_EQ(writes(r, kV1)[1], w(kV1, "devices", "devices.allow", "c *:3 rwm", "devices[0]"));
  EXPECT_EQ(v2_rules(r), (std::vector<std::string>{"deny a *:* rwm", "allow c *:3 rwm"}));
  r.devices = {DeviceRule{.allow = true, .type = 'c', .major = 1, .minor = int64_t{1} << 32}};
  EXPECT_EQ(error(r, kV2), "linux.resources.devices[0]: 1:4294967296 is not a device number");
}

TEST(PlanTest, UnifiedV2WritesKeysAsIs) {
  Resources r;
  r.unified = {{"memory.high", "1048576"}, {"cgroup.max.depth", "5"}};
  EXPECT_EQ(
      writes(r, kV2),
      (std::vector<Write>{w(kV2, "cgroup", "cgroup.max.depth", "5", "unified.cgroup.max.depth"),
                          w(kV2, "memory", "memory.high", "1048576", "unified.memory.high")}));
}

TEST(PlanTest, UnifiedV1OnlyWhereTheKeyMaps) {
  Resources r;
  r.unified = {{"memory.max", "max"}, {"pids.max", "10"}, {"hugetlb.2MB.max", "4096"}};
  EXPECT_EQ(writes(r, kV1),
            (std::vector<Write>{
                w(kV1, "hugetlb", "hugetlb.2MB.limit_in_bytes", "4096", "unified.hugetlb.2MB.max"),
                w(kV1, "memory", "memory.limit_in_bytes", "-1", "unified.memory.max"),
                w(kV1, "pids", "pids.max", "10", "unified.pids.max")}));
  r.unified = {{"memory.high", "1"}};
  EXPECT_EQ(error(r, kV1), "linux.resources.unified.memory.high: no cgroup v1 equivalent");
}

TEST(PlanTest, UnifiedCoreFilesThatAreNotResourcesAreRefused) {
  Resources r;
  for (const char* key :
       {"cgroup.procs", "cgroup.kill", "cgroup.subtree_control", "cgroup.freeze"}) {
    r.unified = {{key, "1"}};
    EXPECT_EQ(error(r, kV2),
              "linux.resources.unified." + std::string(key) + ": not a resource setting");
  }
}

TEST(PlanTest, UnifiedKeyMustBeAFileName) {
  Resources r;
  for (const char* key : {"../memory.max", "memory", ".max", "memory.max/x"}) {
    r.unified = {{key, "1"}};
    EXPECT_EQ(error(r, kV2),
              "linux.resources.unified." + std::string(key) + ": not a cgroup file name");
  }
}

Hierarchy hybrid() {
  Hierarchy h;
  h.root = "/fake";
  h.layout = Layout::kHybrid;
  for (const char* c : {"cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
                        "name=systemd"}) {
    h.v1_mounts[c] = std::string("/fake/") + c;
  }
  h.unified = "/fake/unified";
  h.v2_controllers = {"hugetlb"};
  return h;
}

TEST(PlanRouteTest, HybridUsesV1AndV2ForWhatOnlyV2Has) {
  Resources r;
  r.memory = MemoryLimits{.limit = 4096};
  r.hugepage_limits = {{"2MB", 2097152}};
  r.unified = {{"cgroup.max.descendants", "10"}};
  Write rsvd = w(kV2, "hugetlb", "hugetlb.2MB.rsvd.max", "2097152", "hugepageLimits[0]");
  rsvd.if_present = true;
  auto p = plan(r, hybrid());
  ASSERT_TRUE(p.ok()) << p.error().text();
  EXPECT_EQ(
      p->writes,
      (std::vector<Write>{
          w(kV1, "memory", "memory.limit_in_bytes", "4096", "memory.limit"),
          w(kV2, "hugetlb", "hugetlb.2MB.max", "2097152", "hugepageLimits[0]"), rsvd,
          w(kV2, "cgroup", "cgroup.max.descendants", "10", "unified.cgroup.max.descendants")}));
}

TEST(PlanRouteTest, MissingControllerIsAnErrorOnlyWhenAsked) {
  Resources r;
  r.pids = PidsLimit{10};
  EXPECT_TRUE(plan(r, hybrid()).ok());  // no rdma, net_cls: not asked
  r.rdma = {{"mlx5_0", RdmaLimit{.hca_handles = 1}}};
  EXPECT_EQ(plan(r, hybrid()).error().text(),
            "linux.resources.rdma: the host has no rdma controller");
  r.rdma.clear();
  r.network = NetworkLimits{.class_id = 1};
  EXPECT_EQ(plan(r, hybrid()).error().text(),
            "linux.resources.network.classID: the host has no net_cls controller");
  r.network.reset();
  r.unified = {{"memory.high", "1"}};
  EXPECT_EQ(plan(r, hybrid()).error().text(),
            "linux.resources.unified.memory.high: no cgroup v1 equivalent, and the host has no "
            "cgroup v2 memory controller");

  Hierarchy unified;
  unified.layout = Layout::kUnified;
  unified.unified = "/fake";
  unified.v2_controllers = {"memory", "pids"};
  Resources h;
  h.hugepage_limits = {{"2MB", 1}};
  EXPECT_EQ(plan(h, unified).error().text(),
            "linux.resources.hugepageLimits: the host has no hugetlb controller");
  h.hugepage_limits.clear();
  h.devices = {DeviceRule{}};  // an eBPF program: no controller needed
  EXPECT_TRUE(plan(h, unified).ok());

  Hierarchy legacy = hybrid();
  legacy.layout = Layout::kLegacy;
  legacy.unified.clear();
  h.devices.clear();
  h.unified = {{"cgroup.max.depth", "1"}};
  EXPECT_EQ(plan(h, legacy).error().text(),
            "linux.resources.unified.cgroup.max.depth: no cgroup v1 equivalent");
}

}  // namespace
}  // namespace husk::cgroups
