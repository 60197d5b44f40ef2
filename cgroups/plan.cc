#include "plan.h"

#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include "json_text.h"

namespace husk::cgroups {
namespace {

constexpr std::string_view kField = "linux.resources.";

std::string field(std::string_view name) { return std::string(kField) + std::string(name); }

std::string indexed(std::string_view name, size_t i) {
  return field(name) + "[" + std::to_string(i) + "]";
}

// runc's semantics for a device rule list (its devices emulator; the v1 kernel's own): a default
// (allow or deny, set by each rule for every device) and exceptions of the other kind; a rule
// of the default's kind takes access away from the exception that matches it exactly, and only
// from that one. A rule that would take access from part of a wider exception (deny c 1:3 after
// allow c *:*) cannot be kept: its index comes back, as runc refuses it. Otherwise `effective`
// is the equivalent list, the default first and then the exceptions, in which the last matching
// rule decides (what the v2 filter runs).
std::optional<size_t> emulate_device_rules(const std::vector<DeviceRule>& rules,
                                           std::vector<DeviceRule>& effective) {
  using Key = std::tuple<char, int64_t, int64_t>;  // type, major, minor; -1: any
  const auto bits = [](const std::string& access) {
    unsigned b = 0;
    for (char c : access.empty() ? std::string("rwm") : access) {
      b |= c == 'r' ? 1U : c == 'w' ? 2U : c == 'm' ? 4U : 0U;
    }
    return b;
  };
  bool default_allow = false;
  std::map<Key, unsigned> exceptions;
  for (size_t i = 0; i < rules.size(); ++i) {
    const DeviceRule& d = rules[i];
    const char type = d.type.value_or('a');
    if (type == 'a') {
      default_allow = d.allow;
      exceptions.clear();
      continue;
    }
    const Key key{type, d.major.value_or(-1), d.minor.value_or(-1)};
    const unsigned access = bits(d.access);
    if (d.allow != default_allow) {
      exceptions[key] |= access;
      continue;
    }
    for (const Key& wider :
         {Key{type, -1, std::get<2>(key)}, Key{type, std::get<1>(key), -1}, Key{type, -1, -1}}) {
      const auto found = exceptions.find(wider);
      if (wider != key && found != exceptions.end() && (found->second & access) != 0) return i;
    }
    if ((exceptions[key] &= ~access) == 0) exceptions.erase(key);
  }
  effective = {DeviceRule{.allow = default_allow, .access = "rwm"}};
  for (const auto& [key, access] : exceptions) {
    DeviceRule rule{.allow = !default_allow, .type = std::get<0>(key)};
    if (std::get<1>(key) >= 0) rule.major = std::get<1>(key);
    if (std::get<2>(key) >= 0) rule.minor = std::get<2>(key);
    for (const auto& [bit, letter] : {std::pair{1U, 'r'}, {2U, 'w'}, {4U, 'm'}}) {
      if ((access & bit) != 0) rule.access += letter;
    }
    effective.push_back(std::move(rule));
  }
  return std::nullopt;
}

std::string device_text(const DeviceRule& d) {
  std::string text(1, d.type.value_or('a'));
  text += ' ';
  text += d.major ? std::to_string(*d.major) : std::string("*");
  text += ':';
  text += d.minor ? std::to_string(*d.minor) : std::string("*");
  return text;
}

// "-1 means unlimited": v1 files take -1 as is, v2 files say "max".
std::string v2_limit(int64_t value) { return value < 0 ? "max" : std::to_string(value); }

// A name written into a line of a cgroup file: no blanks, nothing that would start a new entry.
bool is_word(std::string_view name) {
  return !name.empty() && name.find_first_of(" \t\n\r") == std::string_view::npos;
}

std::string device_number(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

// Builds the plan section by section; each section asks the router which version handles its
// controller.
class Planner {
 public:
  explicit Planner(Router router) : router_(std::move(router)) {}

  Result<Plan> run(const Resources& r) {
    if (r.memory) HUSK_TRY(memory(*r.memory));
    if (r.cpu) HUSK_TRY(cpu(*r.cpu));
    if (r.pids) HUSK_TRY(pids(*r.pids));
    if (r.block_io) HUSK_TRY(block_io(*r.block_io));
    HUSK_TRY(hugepages(r.hugepage_limits));
    if (r.network) HUSK_TRY(network(*r.network));
    HUSK_TRY(rdma(r.rdma));
    HUSK_TRY(devices(r.devices));
    HUSK_TRY(unified(r.unified));
    return std::move(plan_);
  }

 private:
  Result<Version> route(std::string_view what, std::string_view v1, std::string_view v2) {
    auto version = router_(v1, v2);
    if (!version.ok()) return std::move(version).error().context(field(what));
    return version;
  }

  void add(Version v, std::string_view controller, std::string file, std::string value,
           std::string field_name) {
    plan_.writes.push_back(Write{v, std::string(controller), std::move(file), std::move(value),
                                 std::move(field_name)});
  }

  static Error unsupported_on_v2(std::string_view what) {
    return Error(field(what) + ": not supported on cgroup v2");
  }

  Status memory(const MemoryLimits& m) {
    auto routed = route("memory", "memory", "memory");
    if (!routed.ok()) return std::move(routed).error();
    const Version v = *routed;
    // Zero limits mean "unset", as for runc: a zero limit would kill the container at once.
    const int64_t limit = m.limit.value_or(0);
    const int64_t swap = m.swap.value_or(0);
    if (m.check_before_update.value_or(false) && limit > 0) {
      plan_.check =
          UsageCheck{v, v == Version::kV1 ? "memory.usage_in_bytes" : "memory.current", limit};
    }
    if (v == Version::kV1) {
      const char* memsw = "memory.memsw.limit_in_bytes";
      // memory+swap may never be below memory: lift it first, so that the order of the two
      // writes does not depend on the current values.
      if (limit != 0 && swap != 0) add(v, "memory", memsw, "-1", field("memory.swap"));
      if (limit != 0)
        add(v, "memory", "memory.limit_in_bytes", std::to_string(limit), field("memory.limit"));
      if (swap != 0 && !(limit != 0 && swap < 0)) {
        add(v, "memory", memsw, std::to_string(swap), field("memory.swap"));
      }
      if (m.reservation) {
        add(v, "memory", "memory.soft_limit_in_bytes", std::to_string(*m.reservation),
            field("memory.reservation"));
      }
      if (m.kernel) {
        add(v, "memory", "memory.kmem.limit_in_bytes", std::to_string(*m.kernel),
            field("memory.kernel"));
      }
      if (m.kernel_tcp) {
        add(v, "memory", "memory.kmem.tcp.limit_in_bytes", std::to_string(*m.kernel_tcp),
            field("memory.kernelTCP"));
      }
      if (m.swappiness) {
        add(v, "memory", "memory.swappiness", std::to_string(*m.swappiness),
            field("memory.swappiness"));
      }
      if (m.disable_oom_killer) {
        add(v, "memory", "memory.oom_control", *m.disable_oom_killer ? "1" : "0",
            field("memory.disableOOMKiller"));
      }
      if (m.use_hierarchy) {
        add(v, "memory", "memory.use_hierarchy", *m.use_hierarchy ? "1" : "0",
            field("memory.useHierarchy"));
      }
      return {};
    }
    // v2: kernel, kernelTCP, swappiness, disableOOMKiller and useHierarchy have no equivalent
    // and are ignored, as runc and crun do (kernel memory is part of memory.max there).
    if (limit != 0) add(v, "memory", "memory.max", v2_limit(limit), field("memory.limit"));
    if (swap != 0) {
      // v1 swap is memory+swap; v2 memory.swap.max is the swap alone.
      std::string value;
      if (swap < 0) {
        value = "max";
      } else if (limit <= 0) {
        return Error(field("memory.swap") + ": " + std::to_string(swap) +
                     " needs a memory limit on cgroup v2 (memory.swap.max is swap minus limit)");
      } else if (swap < limit) {
        return Error(field("memory.swap") + ": " + std::to_string(swap) +
                     " is below memory.limit " + std::to_string(limit));
      } else {
        value = std::to_string(swap - limit);
      }
      add(v, "memory", "memory.swap.max", value, field("memory.swap"));
    }
    if (m.reservation) {
      add(v, "memory", "memory.low", v2_limit(*m.reservation), field("memory.reservation"));
    }
    return {};
  }

  Status cpu(const CpuLimits& c) {
    const bool wants_cpu = c.shares || c.quota || c.period || c.burst || c.realtime_runtime ||
                           c.realtime_period || c.idle;
    if (wants_cpu) {
      auto routed = route("cpu", "cpu", "cpu");
      if (!routed.ok()) return std::move(routed).error();
      const Version v = *routed;
      // Zeros mean "unset", as for runc.
      const auto nonzero = [](auto value) { return value && *value != 0; };
      if (v == Version::kV1) {
        if (nonzero(c.shares)) {
          add(v, "cpu", "cpu.shares", std::to_string(*c.shares), field("cpu.shares"));
        }
        if (nonzero(c.period)) {
          add(v, "cpu", "cpu.cfs_period_us", std::to_string(*c.period), field("cpu.period"));
        }
        if (nonzero(c.quota)) {
          add(v, "cpu", "cpu.cfs_quota_us", std::to_string(*c.quota < 0 ? -1 : *c.quota),
              field("cpu.quota"));
        }
        if (c.burst) {
          add(v, "cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), field("cpu.burst"));
        }
        // The runtime must fit in the period: the period first.
        if (nonzero(c.realtime_period)) {
          add(v, "cpu", "cpu.rt_period_us", std::to_string(*c.realtime_period),
              field("cpu.realtimePeriod"));
        }
        if (nonzero(c.realtime_runtime)) {
          add(v, "cpu", "cpu.rt_runtime_us", std::to_string(*c.realtime_runtime),
              field("cpu.realtimeRuntime"));
        }
      } else {
        if (nonzero(c.realtime_runtime)) return unsupported_on_v2("cpu.realtimeRuntime");
        if (nonzero(c.realtime_period)) return unsupported_on_v2("cpu.realtimePeriod");
        if (nonzero(c.shares)) {
          add(v, "cpu", "cpu.weight", std::to_string(cpu_shares_to_weight(*c.shares)),
              field("cpu.shares"));
        }
        // cpu.max is "$QUOTA [$PERIOD]": a quota alone keeps the period.
        if (nonzero(c.quota) || nonzero(c.period)) {
          std::string value = nonzero(c.quota) ? v2_limit(*c.quota) : "max";
          if (nonzero(c.period)) value += " " + std::to_string(*c.period);
          add(v, "cpu", "cpu.max", value, field(nonzero(c.quota) ? "cpu.quota" : "cpu.period"));
        }
        if (c.burst) {
          add(v, "cpu", "cpu.max.burst", std::to_string(*c.burst), field("cpu.burst"));
        }
      }
      if (c.idle) add(v, "cpu", "cpu.idle", std::to_string(*c.idle), field("cpu.idle"));
    }
    if ((c.cpus && !c.cpus->empty()) || (c.mems && !c.mems->empty())) {
      auto routed = route("cpu", "cpuset", "cpuset");
      if (!routed.ok()) return std::move(routed).error();
      if (c.cpus && !c.cpus->empty()) {
        add(*routed, "cpuset", "cpuset.cpus", *c.cpus, field("cpu.cpus"));
      }
      if (c.mems && !c.mems->empty()) {
        add(*routed, "cpuset", "cpuset.mems", *c.mems, field("cpu.mems"));
      }
    }
    return {};
  }

  Status pids(const PidsLimit& p) {
    auto routed = route("pids", "pids", "pids");
    if (!routed.ok()) return std::move(routed).error();
    // runtime-spec 1.3: negative is unlimited; 0 is a real limit (no new process at all).
    add(*routed, "pids", "pids.max", p.limit < 0 ? "max" : std::to_string(p.limit),
        field("pids.limit"));
    return {};
  }

  Status block_io(const BlockIoLimits& b) {
    const bool any = b.weight || b.leaf_weight || !b.weight_device.empty() ||
                     !b.throttle_read_bps_device.empty() || !b.throttle_write_bps_device.empty() ||
                     !b.throttle_read_iops_device.empty() || !b.throttle_write_iops_device.empty();
    if (!any) return {};
    auto routed = route("blockIO", "blkio", "io");
    if (!routed.ok()) return std::move(routed).error();
    const Version v = *routed;
    const std::string c = v == Version::kV1 ? "blkio" : "io";
    if (v == Version::kV1) {
      if (b.weight) {
        add(v, c, "blkio.weight", std::to_string(*b.weight), field("blockIO.weight"));
        plan_.writes.back().fallback_file = "blkio.bfq.weight";
      }
      if (b.leaf_weight) {
        add(v, c, "blkio.leaf_weight", std::to_string(*b.leaf_weight), field("blockIO.leafWeight"));
      }
    } else if (b.weight) {
      // leafWeight has no v2 equivalent and is ignored, as runc does.
      add(v, c, "io.weight", "default " + std::to_string(blkio_weight_to_io_weight(*b.weight)),
          field("blockIO.weight"));
    }
    for (size_t i = 0; i < b.weight_device.size(); ++i) {
      const BlockIoDevice& d = b.weight_device[i];
      const std::string dev = device_number(d.major, d.minor);
      const std::string what = indexed("blockIO.weightDevice", i);
      if (v == Version::kV1) {
        if (d.weight) {
          add(v, c, "blkio.weight_device", dev + " " + std::to_string(*d.weight), what);
          plan_.writes.back().fallback_file = "blkio.bfq.weight_device";
        }
        if (d.leaf_weight) {
          add(v, c, "blkio.leaf_weight_device", dev + " " + std::to_string(*d.leaf_weight), what);
        }
      } else if (d.weight) {
        add(v, c, "io.weight", dev + " " + std::to_string(blkio_weight_to_io_weight(*d.weight)),
            what);
      }
    }
    const struct {
      const std::vector<BlockIoDevice>& devices;
      const char* name;
      const char* v1_file;
      const char* v2_key;
    } throttles[] = {
        {b.throttle_read_bps_device, "blockIO.throttleReadBpsDevice",
         "blkio.throttle.read_bps_device", "rbps"},
        {b.throttle_write_bps_device, "blockIO.throttleWriteBpsDevice",
         "blkio.throttle.write_bps_device", "wbps"},
        {b.throttle_read_iops_device, "blockIO.throttleReadIOPSDevice",
         "blkio.throttle.read_iops_device", "riops"},
        {b.throttle_write_iops_device, "blockIO.throttleWriteIOPSDevice",
         "blkio.throttle.write_iops_device", "wiops"},
    };
    for (const auto& t : throttles) {
      for (size_t i = 0; i < t.devices.size(); ++i) {
        const BlockIoDevice& d = t.devices[i];
        const std::string dev = device_number(d.major, d.minor);
        if (v == Version::kV1) {
          // 0 removes the limit on v1; v2 says "max".
          add(v, c, t.v1_file, dev + " " + std::to_string(d.rate), indexed(t.name, i));
        } else {
          add(v, c, "io.max",
              dev + " " + t.v2_key + "=" + (d.rate == 0 ? "max" : std::to_string(d.rate)),
              indexed(t.name, i));
        }
      }
    }
    return {};
  }

  Status hugepages(const std::vector<HugepageLimit>& limits) {
    if (limits.empty()) return {};
    auto routed = route("hugepageLimits", "hugetlb", "hugetlb");
    if (!routed.ok()) return std::move(routed).error();
    for (size_t i = 0; i < limits.size(); ++i) {
      const HugepageLimit& h = limits[i];
      if (h.page_size.empty() || h.page_size.find_first_of("/.") != std::string::npos) {
        return Error(indexed("hugepageLimits", i) + ".pageSize: " + json_quote(h.page_size) +
                     " is not a page size such as 2MB");
      }
      const char* suffix = *routed == Version::kV1 ? ".limit_in_bytes" : ".max";
      add(*routed, "hugetlb", "hugetlb." + h.page_size + suffix, std::to_string(h.limit),
          indexed("hugepageLimits", i));
      // The reservation limit too, as runc does, where the kernel has one: without it a
      // reserved but not yet faulted page escapes the limit.
      add(*routed, "hugetlb", "hugetlb." + h.page_size + ".rsvd" + suffix, std::to_string(h.limit),
          indexed("hugepageLimits", i));
      plan_.writes.back().if_present = true;
    }
    return {};
  }

  Status network(const NetworkLimits& n) {
    if (n.class_id) {
      auto routed = route("network.classID", "net_cls", "");
      if (!routed.ok()) return std::move(routed).error();
      add(*routed, "net_cls", "net_cls.classid", std::to_string(*n.class_id),
          field("network.classID"));
    }
    for (size_t i = 0; i < n.priorities.size(); ++i) {
      if (!is_word(n.priorities[i].name)) {
        return Error(indexed("network.priorities", i) +
                     ".name: " + json_quote(n.priorities[i].name) + " is not an interface name");
      }
      auto routed = route("network.priorities", "net_prio", "");
      if (!routed.ok()) return std::move(routed).error();
      add(*routed, "net_prio", "net_prio.ifpriomap",
          n.priorities[i].name + " " + std::to_string(n.priorities[i].priority),
          indexed("network.priorities", i));
    }
    return {};
  }

  Status rdma(const std::map<std::string, RdmaLimit>& limits) {
    for (const auto& [device, limit] : limits) {
      if (!is_word(device))
        return Error(field("rdma") + ": " + json_quote(device) + " is not a device name");
      if (!limit.hca_handles && !limit.hca_objects) continue;
      auto routed = route("rdma", "rdma", "rdma");
      if (!routed.ok()) return std::move(routed).error();
      std::string value = device;
      if (limit.hca_handles) value += " hca_handle=" + std::to_string(*limit.hca_handles);
      if (limit.hca_objects) value += " hca_object=" + std::to_string(*limit.hca_objects);
      add(*routed, "rdma", "rdma.max", value, field("rdma." + device));
    }
    return {};
  }

  Status devices(const std::vector<DeviceRule>& given) {
    if (given.empty()) return {};  // no list: leave the devices alone
    std::vector<DeviceRule> rules = given;
    for (size_t i = 0; i < rules.size(); ++i) {
      DeviceRule& d = rules[i];
      const char type = d.type.value_or('a');
      if (type != 'a' && type != 'b' && type != 'c') {
        return Error(indexed("devices", i) + ".type: \"" + std::string(1, type) +
                     "\" is not a, b or c");
      }
      if (d.access.find_first_not_of("rwm") != std::string::npos) {
        return Error(indexed("devices", i) + ".access: " + json_quote(d.access) +
                     " is not a subset of rwm");
      }
      // -1 is "any", as in runc's own configs.
      if (d.major && *d.major < 0) d.major.reset();
      if (d.minor && *d.minor < 0) d.minor.reset();
      constexpr int64_t kMax = 0xFFFFFFFF;
      if (d.major.value_or(0) > kMax || d.minor.value_or(0) > kMax) {
        return Error(indexed("devices", i) + ": " + std::to_string(d.major.value_or(0)) + ":" +
                     std::to_string(d.minor.value_or(0)) + " is not a device number");
      }
    }
    std::vector<DeviceRule> effective;
    if (auto kept = emulate_device_rules(rules, effective)) {
      const DeviceRule& d = rules[*kept];
      return Error(indexed("devices", *kept) + ": cannot " + (d.allow ? "allow " : "deny ") +
                   device_text(d) +
                   " inside an earlier wildcard rule (the devices cgroup keeps whole rules only)");
    }
    auto routed = route("devices", "devices", "devices");
    if (!routed.ok()) return std::move(routed).error();
    if (*routed == Version::kV2) {
      plan_.v2_devices = std::move(effective);
      plan_.set_v2_devices = true;
      return {};
    }
    // Default deny (unless the first rule is that deny), then the rules in order, so that the
    // last matching one wins.
    if (rules.empty() || rules[0].allow || device_rule_text(rules[0]) != "a *:* rwm")
      add(Version::kV1, "devices", "devices.deny", "a", field("devices"));
    for (size_t i = 0; i < rules.size(); ++i) {
      const DeviceRule& d = rules[i];
      const std::string value = device_rule_text(d);
      add(Version::kV1, "devices", d.allow ? "devices.allow" : "devices.deny", value,
          indexed("devices", i));
    }
    return {};
  }

  // A v2 file name for a v1 host: the few keys that have a v1 file of the same meaning.
  static std::optional<Write> v1_equivalent(const std::string& key, const std::string& value) {
    const auto bytes = [](const std::string& v) { return v == "max" ? std::string("-1") : v; };
    Write w;
    const auto hugetlb_max = key.rfind(".max");
    if (key == "memory.max" || key == "memory.low") {
      w = {Version::kV1, "memory",
           key == "memory.max" ? "memory.limit_in_bytes" : "memory.soft_limit_in_bytes",
           bytes(value), ""};
    } else if (key == "pids.max" || key == "rdma.max") {
      w = {Version::kV1, key.substr(0, key.find('.')), key, value, ""};
    } else if (key == "cpuset.cpus" || key == "cpuset.mems") {
      w = {Version::kV1, "cpuset", key, value, ""};
    } else if (key == "cpu.idle") {
      w = {Version::kV1, "cpu", key, value, ""};
    } else if (key.starts_with("hugetlb.") && hugetlb_max != std::string::npos &&
               hugetlb_max + 4 == key.size() && key.find('.') < hugetlb_max &&
               key.find(".rsvd") == std::string::npos) {
      w = {Version::kV1, "hugetlb", key.substr(0, hugetlb_max) + ".limit_in_bytes", bytes(value),
           ""};
    } else {
      return std::nullopt;
    }
    return w;
  }

  Status unified(const std::map<std::string, std::string>& entries) {
    for (const auto& [key, value] : entries) {
      const std::string what = field("unified." + key);
      const size_t dot = key.find('.');
      if (key.find('/') != std::string::npos || dot == 0 || dot == std::string::npos ||
          key.starts_with(".")) {
        return Error(what + ": not a cgroup file name");
      }
      // The core files move processes, kill, freeze or hand controllers down: not resources.
      if (key.starts_with("cgroup.") && key != "cgroup.max.depth" &&
          key != "cgroup.max.descendants") {
        return Error(what + ": not a resource setting");
      }
      const std::string controller = key.substr(0, dot);
      // Core files ("cgroup.*") need no controller; on v1 a key goes to its v1 equivalent.
      std::optional<Write> v1 = v1_equivalent(key, value);
      auto routed = route("unified." + key, v1 ? v1->controller : "", controller);
      if (!routed.ok()) return std::move(routed).error();
      if (*routed == Version::kV1) {
        if (!v1) return Error(what + ": no cgroup v1 equivalent");
        v1->field = what;
        plan_.writes.push_back(std::move(*v1));
      } else {
        add(Version::kV2, controller, key, value, what);
      }
    }
    return {};
  }

  Router router_;
  Plan plan_;
};

Result<Plan> make_plan(const Resources& resources, Router router) {
  return Planner(std::move(router)).run(resources);
}

bool is_core_v2(std::string_view v2_name) {
  // Files that every v2 cgroup has, without a controller (devices: an eBPF program).
  return v2_name == "cgroup" || v2_name == "devices" || v2_name == "freezer";
}

}  // namespace

std::string device_rule_text(const DeviceRule& rule) {
  return device_text(rule) + " " + (rule.access.empty() ? std::string("rwm") : rule.access);
}

uint64_t cpu_shares_to_weight(uint64_t shares) {
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t blkio_weight_to_io_weight(uint64_t weight) {
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + (weight - 10) * 9999 / 990;
}

Result<Plan> plan(const Resources& resources, Version version) {
  return make_plan(resources,
                   [version](std::string_view v1, std::string_view v2) -> Result<Version> {
                     if (version == Version::kV1 && v1.empty()) {
                       return Error("no cgroup v1 equivalent");
                     }
                     if (version == Version::kV2 && v2.empty()) {
                       return Error("no cgroup v2 equivalent");
                     }
                     return version;
                   });
}

Result<Version> route(const Hierarchy& h, std::string_view v1, std::string_view v2) {
  const bool on_v1 = !v1.empty() && h.v1_mounts.contains(std::string(v1));
  const bool on_v2 = !v2.empty() && !h.unified.empty() &&
                     (is_core_v2(v2) || h.v2_controllers.contains(std::string(v2)));
  switch (h.layout) {
    case Layout::kLegacy:
      if (on_v1) return Version::kV1;
      if (v1.empty()) return Error("no cgroup v1 equivalent");
      return Error("the host has no " + std::string(v1) + " controller");
    case Layout::kUnified:
      if (on_v2) return Version::kV2;
      if (v2.empty()) return Error("no cgroup v2 equivalent");
      return Error("the host has no " + std::string(v2) + " controller");
    case Layout::kHybrid:
      if (on_v1) return Version::kV1;
      if (on_v2) return Version::kV2;
      if (v1.empty()) {
        return Error("no cgroup v1 equivalent, and the host has no cgroup v2 " + std::string(v2) +
                     " controller");
      }
      return Error("the host has no " + std::string(v1) + " controller");
  }
  return Error("unknown cgroup layout");
}

Result<Plan> plan(const Resources& resources, const Hierarchy& hierarchy) {
  return make_plan(resources, [&hierarchy](std::string_view v1, std::string_view v2) {
    return route(hierarchy, v1, v2);
  });
}

}  // namespace husk::cgroups
