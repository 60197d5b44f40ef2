// oci_config: config.json text to husk::oci::Config.
//
// The reader walks the JSON document with a Node: a value and its path in jq syntax. The first
// problem found throws a ConfigError carrying that path; parse_config() catches it and returns
// the one Error. Exceptions (ours and nlohmann's) never leave this file. nlohmann-json is
// included here only, so that no other file pays for compiling it.
#include "oci_config.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <type_traits>
#include <utility>

#include "oci_names.h"
#include "read_file.h"

namespace husk::oci {
namespace {

using json = nlohmann::json;

// The first problem in the document: where and what.
struct ConfigError {
  std::string path;
  std::string message;
};

// A string as a JSON literal, cut after 64 bytes; invalid UTF-8 shows as U+FFFD.
std::string quote(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out =
      json(std::string(text.substr(0, kMax))).dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMax) out.insert(out.size() - 1, "...");
  return out;
}

// What a value is, for "expected X, got Y". Containers are named, never printed: they may be
// large or deeply nested.
std::string describe(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return quote(value.get_ref<const std::string&>());
    default:
      return value.dump();  // null, true, 5, -1, 1.5
  }
}

bool is_identifier(std::string_view key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

// `.key`, or `["some.key"]` where jq needs the brackets.
std::string member_path(const std::string& path, std::string_view key) {
  if (is_identifier(key)) return path + "." + std::string(key);
  return path + "[" + quote(key) + "]";
}

template <class T>
std::string range_text(T lo, T hi) {
  return " is out of range (" + std::to_string(lo) + " to " + std::to_string(hi) + ")";
}

// A JSON value and its path. Readers throw ConfigError naming the path.
class Node {
 public:
  Node(const json& value, std::string path) : value_(&value), path_(std::move(path)) {}

  [[noreturn]] void fail(std::string message) const {
    throw ConfigError{path_, std::move(message)};
  }
  [[noreturn]] void fail_member(std::string_view key, std::string message) const {
    throw ConfigError{member_path(path_, key), std::move(message)};
  }
  [[noreturn]] void fail_type(std::string_view expected) const {
    fail("expected " + std::string(expected) + ", got " + describe(*value_));
  }

  // A member of this object. Explicit null counts as absent, as it does for Go's encoding/json,
  // which wrote many of the configs out there.
  std::optional<Node> get(std::string_view key) const {
    if (!value_->is_object()) fail_type("an object");
    auto it = value_->find(std::string(key));
    if (it == value_->end() || it->is_null()) return std::nullopt;
    return Node(*it, member_path(path_, key));
  }
  Node need(std::string_view key) const {
    if (auto node = get(key)) return *node;
    fail_member(key, "required field missing");
  }
  bool has(std::string_view key) const { return get(key).has_value(); }

  template <class F>
  void each(F&& f) const {
    if (!value_->is_array()) fail_type("an array");
    for (size_t i = 0; i < value_->size(); ++i) {
      f(Node((*value_)[i], path_ + "[" + std::to_string(i) + "]"));
    }
  }
  template <class F>
  void each_member(F&& f) const {
    if (!value_->is_object()) fail_type("an object");
    for (auto it = value_->begin(); it != value_->end(); ++it) {
      f(it.key(), Node(it.value(), member_path(path_, it.key())));
    }
  }

  std::string str() const {
    if (!value_->is_string()) fail_type("a string");
    return value_->get<std::string>();
  }
  bool boolean() const {
    if (!value_->is_boolean()) fail_type("a boolean");
    return value_->get<bool>();
  }

  // An integer that fits T. Floats are refused even when integral, as Go refuses them.
  template <class T>
  T integer() const {
    constexpr T kMin = std::numeric_limits<T>::min();
    constexpr T kMax = std::numeric_limits<T>::max();
    if (value_->is_number_unsigned()) {  // nlohmann keeps every integer >= 0 as unsigned
      auto v = value_->get<uint64_t>();
      if (v > static_cast<uint64_t>(kMax)) fail(describe(*value_) + range_text(kMin, kMax));
      return static_cast<T>(v);
    }
    if (value_->is_number_integer()) {
      auto v = value_->get<int64_t>();
      if (std::is_unsigned_v<T> || v < static_cast<int64_t>(kMin)) {
        fail(describe(*value_) + range_text(kMin, kMax));
      }
      return static_cast<T>(v);
    }
    if (value_->is_number_float()) {  // integers beyond 64 bits arrive as floats
      double v = value_->get<double>();
      if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) >= 0x1p63) {
        fail(describe(*value_) + range_text(kMin, kMax));
      }
    }
    fail_type(std::is_unsigned_v<T> ? "an unsigned integer" : "an integer");
  }
  template <class T>
  T integer_in(T lo, T hi) const {
    T v = integer<T>();
    if (v < lo || v > hi) fail(std::to_string(v) + range_text(lo, hi));
    return v;
  }

  // A string from a fixed vocabulary; `what` names it in the error ("unknown rlimit type").
  template <class Known>
  std::string word(Known known, std::string_view what) const {
    std::string s = str();
    if (!known(s)) fail("unknown " + std::string(what) + " " + quote(s));
    return s;
  }
  std::string absolute_path() const {
    std::string s = str();
    if (s.empty() || s[0] != '/') fail("expected an absolute path, got " + quote(s));
    return s;
  }
  std::string non_empty() const {
    std::string s = str();
    if (s.empty()) fail("expected a non-empty string, got \"\"");
    return s;
  }
  std::string single_line() const {
    std::string s = str();
    if (s.find('\n') != std::string::npos) fail("must not contain a newline");
    return s;
  }

  // Optional members of this object, by type.
  std::optional<std::string> opt_str(std::string_view key) const {
    if (auto node = get(key)) return node->str();
    return std::nullopt;
  }
  std::optional<bool> opt_bool(std::string_view key) const {
    if (auto node = get(key)) return node->boolean();
    return std::nullopt;
  }
  bool flag(std::string_view key) const { return opt_bool(key).value_or(false); }
  template <class T>
  std::optional<T> opt_int(std::string_view key) const {
    if (auto node = get(key)) return node->integer<T>();
    return std::nullopt;
  }

 private:
  const json* value_;
  std::string path_;
};

using OptNode = std::optional<Node>;

// Each element of an optional array, read with `read`.
template <class F>
auto list(const OptNode& node, F read) {
  std::vector<std::invoke_result_t<F, const Node&>> out;
  if (node) node->each([&](const Node& element) { out.push_back(read(element)); });
  return out;
}

// Each member of an optional object, read with `read(key, value)`.
template <class F>
auto map_of(const OptNode& node, F read) {
  std::map<std::string, std::invoke_result_t<F, const std::string&, const Node&>> out;
  if (node) {
    node->each_member(
        [&](const std::string& key, const Node& value) { out.emplace(key, read(key, value)); });
  }
  return out;
}

std::vector<std::string> strings(const OptNode& node) {
  return list(node, [](const Node& e) { return e.str(); });
}

std::vector<std::string> absolute_paths(const OptNode& node) {
  return list(node, [](const Node& e) { return e.absolute_path(); });
}

// "0-3,7": comma-separated CPU numbers and ranges, or empty.
bool is_cpu_list(std::string_view s) {
  if (s.empty()) return true;
  const char* p = s.data();
  const char* end = p + s.size();
  for (;;) {
    unsigned first = 0;
    unsigned last = 0;
    auto r = std::from_chars(p, end, first);
    if (r.ec != std::errc()) return false;
    p = r.ptr;
    last = first;
    if (p != end && *p == '-') {
      r = std::from_chars(p + 1, end, last);
      if (r.ec != std::errc() || last < first) return false;
      p = r.ptr;
    }
    if (p == end) return true;
    if (*p++ != ',') return false;
  }
}

std::optional<std::string> cpu_list(const OptNode& node) {
  if (!node) return std::nullopt;
  std::string s = node->str();
  if (!is_cpu_list(s)) node->fail("expected a CPU list such as \"0-3,7\", got " + quote(s));
  return s;
}

// A name that becomes one path component (a cgroup file, a resctrl group).
void check_file_name(const Node& node, const std::string& name) {
  if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
    node.fail("expected a file name, got " + quote(name));
  }
}

// A network interface name: what the kernel's dev_valid_name() accepts.
void check_interface_name(const Node& node, const std::string& name) {
  bool ok = !name.empty() && name.size() < 16 && name != "." && name != ".." &&
            std::none_of(name.begin(), name.end(), [](char c) {
              return c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n';
            });
  if (!ok) node.fail("expected a network interface name, got " + quote(name));
}

// --- process ---

User parse_user(const Node& n) {
  User u;
  u.uid = n.need("uid").integer<uint32_t>();
  u.gid = n.need("gid").integer<uint32_t>();
  if (auto umask = n.get("umask")) u.umask = umask->integer_in<uint32_t>(0, 0777);
  u.additional_gids =
      list(n.get("additionalGids"), [](const Node& e) { return e.integer<uint32_t>(); });
  u.username = n.opt_str("username");
  return u;
}

Capabilities parse_capabilities(const Node& n) {
  auto names = [&](std::string_view set) {
    return list(n.get(set), [](const Node& e) {
      return e.word([](std::string_view s) { return capability_number(s).has_value(); },
                    "capability");
    });
  };
  Capabilities c;
  c.bounding = names("bounding");
  c.effective = names("effective");
  c.inheritable = names("inheritable");
  c.permitted = names("permitted");
  c.ambient = names("ambient");
  return c;
}

std::vector<Rlimit> parse_rlimits(const Node& n) {
  std::vector<Rlimit> out;
  n.each([&](const Node& e) {
    Node type = e.need("type");
    Rlimit r;
    r.type =
        type.word([](std::string_view s) { return rlimit_resource(s).has_value(); }, "rlimit type");
    for (const Rlimit& seen : out) {
      if (seen.type == r.type) type.fail("duplicate rlimit type " + quote(r.type));
    }
    r.soft = e.need("soft").integer<uint64_t>();
    r.hard = e.need("hard").integer<uint64_t>();
    if (r.soft > r.hard) {
      e.fail("soft limit " + std::to_string(r.soft) + " is above the hard limit " +
             std::to_string(r.hard));
    }
    out.push_back(std::move(r));
  });
  return out;
}

Scheduler parse_scheduler(const Node& n) {
  Scheduler s;
  s.policy = n.need("policy").word(is_sched_policy, "scheduling policy");
  if (auto nice = n.get("nice")) s.nice = nice->integer_in<int32_t>(-20, 19);
  s.priority = n.opt_int<int32_t>("priority");
  s.flags =
      list(n.get("flags"), [](const Node& e) { return e.word(is_sched_flag, "scheduler flag"); });
  s.runtime = n.opt_int<uint64_t>("runtime");
  s.deadline = n.opt_int<uint64_t>("deadline");
  s.period = n.opt_int<uint64_t>("period");
  return s;
}

Process parse_process(const Node& n) {
  Process p;
  p.terminal = n.flag("terminal");
  if (auto size = n.get("consoleSize")) {
    p.console_size = ConsoleSize{size->need("height").integer<uint32_t>(),
                                 size->need("width").integer<uint32_t>()};
  }
  if (auto user = n.get("user")) p.user = parse_user(*user);
  Node args = n.need("args");  // OPTIONAL in the spec only for Windows
  p.args = strings(args);
  if (p.args.empty()) args.fail("expected at least one entry");
  p.command_line = n.opt_str("commandLine");
  p.env = strings(n.get("env"));
  p.cwd = n.need("cwd").absolute_path();
  if (auto caps = n.get("capabilities")) p.capabilities = parse_capabilities(*caps);
  if (auto rlimits = n.get("rlimits")) p.rlimits = parse_rlimits(*rlimits);
  p.no_new_privileges = n.flag("noNewPrivileges");
  p.apparmor_profile = n.opt_str("apparmorProfile");
  if (auto oom = n.get("oomScoreAdj")) p.oom_score_adj = oom->integer_in<int32_t>(-1000, 1000);
  if (auto scheduler = n.get("scheduler")) p.scheduler = parse_scheduler(*scheduler);
  p.selinux_label = n.opt_str("selinuxLabel");
  if (auto io = n.get("ioPriority")) {
    p.io_priority = IoPriority{io->need("class").word(is_ioprio_class, "I/O priority class"),
                               io->need("priority").integer_in<int32_t>(0, 7)};
  }
  if (auto affinity = n.get("execCPUAffinity")) {
    p.exec_cpu_affinity =
        ExecCpuAffinity{cpu_list(affinity->get("initial")), cpu_list(affinity->get("final"))};
  }
  return p;
}

// --- root, mounts, hooks ---

Root parse_root(const Node& n) {
  Root r;
  r.path = n.need("path").non_empty();
  r.readonly = n.flag("readonly");
  return r;
}

IdMapping parse_id_mapping(const Node& n) {
  IdMapping m;
  m.container_id = n.need("containerID").integer<uint32_t>();
  m.host_id = n.need("hostID").integer<uint32_t>();
  m.size = n.need("size").integer<uint32_t>();
  if (m.size == 0) n.need("size").fail("must be at least 1");
  constexpr uint64_t kIds = uint64_t{1} << 32;
  for (auto [name, start] : {std::pair{"containerID", m.container_id}, {"hostID", m.host_id}}) {
    if (start + uint64_t{m.size} > kIds) {
      n.fail(std::string(name) + " " + std::to_string(start) + " + size " + std::to_string(m.size) +
             " goes past the last 32-bit ID");
    }
  }
  return m;
}

Mount parse_mount(const Node& n) {
  Mount m;
  m.destination = n.need("destination").non_empty();
  // The spec still allows a relative destination (deprecated), taken relative to "/".
  if (m.destination[0] != '/') m.destination.insert(0, "/");
  m.type = n.opt_str("type").value_or("");
  m.source = n.opt_str("source").value_or("");
  m.options = strings(n.get("options"));
  m.uid_mappings = list(n.get("uidMappings"), parse_id_mapping);
  m.gid_mappings = list(n.get("gidMappings"), parse_id_mapping);
  bool uid = n.has("uidMappings");
  if (uid != n.has("gidMappings")) {
    n.fail_member(uid ? "gidMappings" : "uidMappings",
                  uid ? "required with uidMappings" : "required with gidMappings");
  }
  return m;
}

Hook parse_hook(const Node& n) {
  Hook h;
  h.path = n.need("path").absolute_path();
  h.args = strings(n.get("args"));
  h.env = strings(n.get("env"));
  if (auto timeout = n.get("timeout")) {
    h.timeout = timeout->integer<int32_t>();
    if (*h.timeout <= 0) {
      timeout->fail("must be greater than zero, got " + std::to_string(*h.timeout));
    }
  }
  return h;
}

Hooks parse_hooks(const Node& n) {
  Hooks h;
  h.prestart = list(n.get("prestart"), parse_hook);
  h.create_runtime = list(n.get("createRuntime"), parse_hook);
  h.create_container = list(n.get("createContainer"), parse_hook);
  h.start_container = list(n.get("startContainer"), parse_hook);
  h.poststart = list(n.get("poststart"), parse_hook);
  h.poststop = list(n.get("poststop"), parse_hook);
  return h;
}

// --- linux ---

std::vector<Namespace> parse_namespaces(const Node& n) {
  std::vector<Namespace> out;
  n.each([&](const Node& e) {
    Node type = e.need("type");
    std::string name = type.str();
    std::optional<NamespaceType> t = namespace_type(name);
    if (!t) type.fail("unknown namespace type " + quote(name));
    for (const Namespace& seen : out) {
      if (seen.type == *t) type.fail("duplicate namespace type " + quote(name));
    }
    Namespace ns;
    ns.type = *t;
    // An empty path is what Go writes for "no path".
    if (auto path = e.get("path"); path && !path->str().empty()) ns.path = path->absolute_path();
    out.push_back(std::move(ns));
  });
  return out;
}

TimeOffset parse_time_offset(const std::string& clock, const Node& n) {
  if (clock != "monotonic" && clock != "boottime") {
    n.fail("unknown clock " + quote(clock) + " (expected monotonic or boottime)");
  }
  TimeOffset t;
  t.secs = n.opt_int<int64_t>("secs").value_or(0);
  if (auto nanosecs = n.get("nanosecs")) t.nanosecs = nanosecs->integer_in<uint32_t>(0, 999999999);
  return t;
}

Device parse_device(const Node& n) {
  Device d;
  Node type = n.need("type");
  d.type = type.str();
  if (d.type != "c" && d.type != "b" && d.type != "u" && d.type != "p") {
    type.fail("unknown device type " + quote(d.type) + " (expected c, b, u or p)");
  }
  d.path = n.need("path").absolute_path();
  if (d.type == "p") {
    d.major = n.opt_int<int64_t>("major").value_or(0);
    d.minor = n.opt_int<int64_t>("minor").value_or(0);
  } else {
    d.major = n.need("major").integer<int64_t>();
    d.minor = n.need("minor").integer<int64_t>();
  }
  d.file_mode = n.opt_int<uint32_t>("fileMode");
  d.uid = n.opt_int<uint32_t>("uid");
  d.gid = n.opt_int<uint32_t>("gid");
  return d;
}

cgroups::DeviceRule parse_device_rule(const Node& n) {
  cgroups::DeviceRule d;
  d.allow = n.need("allow").boolean();
  if (auto type = n.get("type")) {
    std::string s = type->str();
    if (s != "a" && s != "b" && s != "c") {
      type->fail("unknown device type " + quote(s) + " (expected a, b or c)");
    }
    d.type = s[0];
  }
  d.major = n.opt_int<int64_t>("major");
  d.minor = n.opt_int<int64_t>("minor");
  if (auto access = n.get("access")) {
    d.access = access->str();
    if (d.access.find_first_not_of("rwm") != std::string::npos) {
      access->fail("expected a combination of r, w and m, got " + quote(d.access));
    }
  }
  return d;
}

cgroups::MemoryLimits parse_memory(const Node& n) {
  cgroups::MemoryLimits m;
  m.limit = n.opt_int<int64_t>("limit");
  m.reservation = n.opt_int<int64_t>("reservation");
  m.swap = n.opt_int<int64_t>("swap");
  m.kernel = n.opt_int<int64_t>("kernel");
  m.kernel_tcp = n.opt_int<int64_t>("kernelTCP");
  if (auto swappiness = n.get("swappiness")) {
    auto v = swappiness->integer<uint64_t>();
    // Docker writes -1 ("leave it") as the uint64 of -1; take it as unset.
    if (v != std::numeric_limits<uint64_t>::max()) {
      m.swappiness = swappiness->integer_in<uint64_t>(0, 100);
    }
  }
  m.disable_oom_killer = n.opt_bool("disableOOMKiller");
  m.use_hierarchy = n.opt_bool("useHierarchy");
  m.check_before_update = n.opt_bool("checkBeforeUpdate");
  return m;
}

cgroups::CpuLimits parse_cpu(const Node& n) {
  cgroups::CpuLimits c;
  c.shares = n.opt_int<uint64_t>("shares");
  c.quota = n.opt_int<int64_t>("quota");
  c.burst = n.opt_int<uint64_t>("burst");
  c.period = n.opt_int<uint64_t>("period");
  c.realtime_runtime = n.opt_int<int64_t>("realtimeRuntime");
  c.realtime_period = n.opt_int<uint64_t>("realtimePeriod");
  c.cpus = n.opt_str("cpus");
  c.mems = n.opt_str("mems");
  c.idle = n.opt_int<int64_t>("idle");
  if (c.burst && c.quota && *c.quota > 0 && *c.burst > static_cast<uint64_t>(*c.quota)) {
    n.fail_member("burst", "burst " + std::to_string(*c.burst) + " is above the quota " +
                               std::to_string(*c.quota));
  }
  return c;
}

cgroups::BlockIoDevice parse_weight_device(const Node& n) {
  cgroups::BlockIoDevice d;
  d.major = n.need("major").integer<int64_t>();
  d.minor = n.need("minor").integer<int64_t>();
  d.weight = n.opt_int<uint16_t>("weight");
  d.leaf_weight = n.opt_int<uint16_t>("leafWeight");
  if (!d.weight && !d.leaf_weight) n.fail("expected weight or leafWeight");
  return d;
}

cgroups::BlockIoDevice parse_throttle_device(const Node& n) {
  cgroups::BlockIoDevice d;
  d.major = n.need("major").integer<int64_t>();
  d.minor = n.need("minor").integer<int64_t>();
  d.rate = n.need("rate").integer<uint64_t>();
  return d;
}

cgroups::BlockIoLimits parse_block_io(const Node& n) {
  cgroups::BlockIoLimits b;
  b.weight = n.opt_int<uint16_t>("weight");
  b.leaf_weight = n.opt_int<uint16_t>("leafWeight");
  b.weight_device = list(n.get("weightDevice"), parse_weight_device);
  b.throttle_read_bps_device = list(n.get("throttleReadBpsDevice"), parse_throttle_device);
  b.throttle_write_bps_device = list(n.get("throttleWriteBpsDevice"), parse_throttle_device);
  b.throttle_read_iops_device = list(n.get("throttleReadIOPSDevice"), parse_throttle_device);
  b.throttle_write_iops_device = list(n.get("throttleWriteIOPSDevice"), parse_throttle_device);
  return b;
}

cgroups::HugepageLimit parse_hugepage_limit(const Node& n) {
  cgroups::HugepageLimit h;
  Node page_size = n.need("pageSize");
  h.page_size = page_size.str();
  // <size><unit>B, as the hugetlb.<size>.limit_in_bytes file names spell it: 2MB, 1GB, 64KB.
  size_t digits = h.page_size.find_first_not_of("0123456789");
  std::string_view unit =
      digits == std::string::npos ? "" : std::string_view(h.page_size).substr(digits);
  if (digits == 0 || (unit != "KB" && unit != "MB" && unit != "GB" && unit != "TB")) {
    page_size.fail("expected a page size such as \"2MB\", got " + quote(h.page_size));
  }
  h.limit = n.need("limit").integer<uint64_t>();
  return h;
}

cgroups::NetworkLimits parse_network(const Node& n) {
  cgroups::NetworkLimits net;
  net.class_id = n.opt_int<uint32_t>("classID");
  net.priorities = list(n.get("priorities"), [](const Node& e) {
    return cgroups::NetworkPriority{e.need("name").str(), e.need("priority").integer<uint32_t>()};
  });
  return net;
}

cgroups::RdmaLimit parse_rdma_limit(const std::string&, const Node& n) {
  cgroups::RdmaLimit r;
  r.hca_handles = n.opt_int<uint32_t>("hcaHandles");
  r.hca_objects = n.opt_int<uint32_t>("hcaObjects");
  if (!r.hca_handles && !r.hca_objects) n.fail("expected hcaHandles or hcaObjects");
  return r;
}

cgroups::Resources parse_resources(const Node& n) {
  cgroups::Resources r;
  r.devices = list(n.get("devices"), parse_device_rule);
  if (auto memory = n.get("memory")) r.memory = parse_memory(*memory);
  if (auto cpu = n.get("cpu")) r.cpu = parse_cpu(*cpu);
  if (auto pids = n.get("pids")) {
    r.pids = cgroups::PidsLimit{pids->need("limit").integer<int64_t>()};
  }
  if (auto block_io = n.get("blockIO")) r.block_io = parse_block_io(*block_io);
  r.hugepage_limits = list(n.get("hugepageLimits"), parse_hugepage_limit);
  if (auto network = n.get("network")) r.network = parse_network(*network);
  r.rdma = map_of(n.get("rdma"), parse_rdma_limit);
  r.unified = map_of(n.get("unified"), [](const std::string& file, const Node& value) {
    check_file_name(value, file);  // the key becomes a file name in the container's cgroup
    return value.str();
  });
  return r;
}

bool takes_errno(std::string_view action) {
  return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE";
}

SeccompSyscall parse_syscall(const Node& n) {
  SeccompSyscall s;
  Node names = n.need("names");
  s.names = strings(names);
  if (s.names.empty()) names.fail("expected at least one entry");
  s.action = n.need("action").word(is_seccomp_action, "seccomp action");
  s.errno_ret = n.opt_int<uint32_t>("errnoRet");
  if (s.errno_ret && !takes_errno(s.action)) {
    n.fail_member("errnoRet", "not allowed with action " + s.action);
  }
  s.args = list(n.get("args"), [](const Node& e) {
    SeccompArg a;
    a.index = e.need("index").integer_in<uint32_t>(0, 5);
    a.value = e.need("value").integer<uint64_t>();
    a.value_two = e.opt_int<uint64_t>("valueTwo").value_or(0);
    a.op = e.need("op").word(is_seccomp_operator, "seccomp operator");
    return a;
  });
  return s;
}

Seccomp parse_seccomp(const Node& n) {
  Seccomp s;
  Node default_action = n.need("defaultAction");
  s.default_action = default_action.word(is_seccomp_action, "seccomp action");
  if (s.default_action == "SCMP_ACT_NOTIFY") {
    default_action.fail("SCMP_ACT_NOTIFY cannot be the default action");
  }
  s.default_errno_ret = n.opt_int<uint32_t>("defaultErrnoRet");
  if (s.default_errno_ret && !takes_errno(s.default_action)) {
    n.fail_member("defaultErrnoRet", "not allowed with action " + s.default_action);
  }
  s.architectures = list(n.get("architectures"), [](const Node& e) {
    return e.word(is_seccomp_arch, "seccomp architecture");
  });
  s.flags =
      list(n.get("flags"), [](const Node& e) { return e.word(is_seccomp_flag, "seccomp flag"); });
  s.listener_path = n.opt_str("listenerPath");
  s.listener_metadata = n.opt_str("listenerMetadata");
  if (s.listener_metadata && !s.listener_path) {
    n.fail_member("listenerMetadata", "not allowed without listenerPath");
  }
  s.syscalls = list(n.get("syscalls"), parse_syscall);
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    if (s.syscalls[i].action == "SCMP_ACT_NOTIFY" && s.listener_path.value_or("").empty()) {
      n.fail_member("listenerPath",
                    "required when syscalls[" + std::to_string(i) + "] uses SCMP_ACT_NOTIFY");
    }
  }
  return s;
}

IntelRdt parse_intel_rdt(const Node& n) {
  IntelRdt r;
  if (auto clos = n.get("closID")) {
    r.clos_id = clos->str();
    if (*r.clos_id != "/") check_file_name(*clos, *r.clos_id);  // "/" is the default group
  }
  if (auto l3 = n.get("l3CacheSchema")) r.l3_cache_schema = l3->single_line();
  if (auto mb = n.get("memBwSchema")) {
    r.mem_bw_schema = mb->single_line();
    if (!r.mem_bw_schema->starts_with("MB:")) {
      mb->fail("expected a schema starting with \"MB:\", got " + quote(*r.mem_bw_schema));
    }
  }
  r.schemata = list(n.get("schemata"), [](const Node& e) { return e.single_line(); });
  r.enable_cmt = n.flag("enableCMT");
  r.enable_mbm = n.flag("enableMBM");
  r.enable_monitoring = n.flag("enableMonitoring");
  return r;
}

Linux parse_linux(const Node& n) {
  Linux l;
  if (auto namespaces = n.get("namespaces")) l.namespaces = parse_namespaces(*namespaces);
  l.uid_mappings = list(n.get("uidMappings"), parse_id_mapping);
  l.gid_mappings = list(n.get("gidMappings"), parse_id_mapping);
  l.time_offsets = map_of(n.get("timeOffsets"), parse_time_offset);
  l.devices = list(n.get("devices"), parse_device);
  l.cgroups_path = n.opt_str("cgroupsPath");
  if (auto resources = n.get("resources")) l.resources = parse_resources(*resources);
  if (auto propagation = n.get("rootfsPropagation")) {
    l.rootfs_propagation = propagation->word(is_rootfs_propagation, "rootfs propagation");
  }
  if (auto seccomp = n.get("seccomp")) l.seccomp = parse_seccomp(*seccomp);
  l.sysctl = map_of(n.get("sysctl"), [](const std::string& key, const Node& value) {
    // The key becomes a path under /proc/sys: no way out of it.
    if (key.empty() || key[0] == '.' || key[0] == '/' || key.find("..") != std::string::npos ||
        key.find("/.") != std::string::npos) {
      value.fail("expected a sysctl name, got " + quote(key));
    }
    return value.str();
  });
  l.masked_paths = absolute_paths(n.get("maskedPaths"));
  l.readonly_paths = absolute_paths(n.get("readonlyPaths"));
  l.mount_label = n.opt_str("mountLabel").value_or("");
  if (auto rdt = n.get("intelRdt")) l.intel_rdt = parse_intel_rdt(*rdt);
  if (auto personality = n.get("personality")) {
    l.personality =
        Personality{personality->need("domain").word(is_personality_domain, "personality domain"),
                    strings(personality->get("flags"))};
  }
  l.net_devices = map_of(n.get("netDevices"), [](const std::string& host_name, const Node& value) {
    check_interface_name(value, host_name);
    NetDevice d;
    if (auto name = value.get("name")) {
      d.name = name->str();
      check_interface_name(*name, *d.name);
    }
    return d;
  });
  return l;
}

// --- the document ---

Config parse_document(const Node& n) {
  Config c;
  Node version = n.need("ociVersion");
  c.oci_version = version.str();
  if (!c.oci_version.starts_with("1.")) {
    version.fail("unsupported version " + quote(c.oci_version) + " (expected 1.x)");
  }
  c.root = parse_root(n.need("root"));  // OPTIONAL only for Windows Hyper-V containers
  c.mounts = list(n.get("mounts"), parse_mount);
  if (auto process = n.get("process")) c.process = parse_process(*process);
  c.hostname = n.opt_str("hostname").value_or("");
  c.domainname = n.opt_str("domainname").value_or("");
  if (auto hooks = n.get("hooks")) c.hooks = parse_hooks(*hooks);
  c.annotations = map_of(n.get("annotations"), [](const std::string& key, const Node& value) {
    if (key.empty()) value.fail("empty annotation key");
    return value.str();
  });
  if (auto linux_config = n.get("linux")) c.linux_config = parse_linux(*linux_config);
  return c;
}

// `line L, column C` of the byte that `bytes_read` ends on. nlohmann counts the offending byte
// (one past the end for a truncated document).
std::string position_text(std::string_view text, size_t bytes_read) {
  std::string_view before = text.substr(0, std::min(bytes_read, text.size()));
  size_t line = 1 + static_cast<size_t>(std::count(before.begin(), before.end(), '\n'));
  size_t line_start = before.rfind('\n');
  size_t column = bytes_read - (line_start == std::string_view::npos ? 0 : line_start + 1);
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// nlohmann's message without its prefixes ("[json.exception.parse_error.101] parse error at
// line 1, column 2: "), printable and short: its "last read" part echoes input bytes.
std::string syntax_detail(std::string what) {
  if (what.starts_with('[')) what.erase(0, std::min(what.size(), what.find("] ") + 2));
  if (what.starts_with("parse error")) {
    size_t colon = what.find(": ");
    what.erase(0, colon == std::string::npos ? 0 : colon + 2);
  }
  for (char& c : what) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  constexpr size_t kMax = 200;
  if (what.size() > kMax) what = what.substr(0, kMax) + "...";
  return what;
}

// nlohmann's DOM builder, except that a syntax error (or a number too large for a double) is
// recorded with its byte position instead of thrown without one.
class DomBuilder : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit DomBuilder(json& root) : json_sax_dom_parser(root, false) {}

  bool parse_error(size_t bytes_read, const std::string& /*token*/,
                   const nlohmann::detail::exception& e) {
    bytes_read_ = bytes_read;
    what_ = e.what();
    return false;
  }

  size_t bytes_read() const { return bytes_read_; }
  const std::string& what() const { return what_; }

 private:
  size_t bytes_read_ = 0;
  std::string what_;
};

Result<json> parse_json(std::string_view text, std::string_view file = "config.json") {
  // nlohmann stops at a NUL byte outside a string as if the text ended there.
  if (size_t nul = text.find('\0'); nul != std::string_view::npos) {
    return Error(std::string(file) + ": " + position_text(text, nul + 1) +
                 ": syntax error - NUL byte");
  }
  json document;
  DomBuilder builder(document);
  if (!json::sax_parse(text.begin(), text.end(), &builder)) {
    return Error(std::string(file) + ": " + position_text(text, builder.bytes_read()) + ": " +
                 syntax_detail(builder.what()));
  }
  return document;
}

}  // namespace

Result<Config> parse_config(std::string_view json_text) {
  try {
    Result<json> document = parse_json(json_text);
    if (!document.ok()) return std::move(document).error();
    return parse_document(Node(*document, ""));
  } catch (const ConfigError& e) {
    if (e.path.empty()) return Error("config.json: " + e.message);
    return Error("config.json: " + e.path + ": " + e.message);
  } catch (const std::exception& e) {  // out of memory
    return Error(std::string("config.json: ") + e.what());
  }
}

Result<Config> load_config(const std::string& bundle_dir, std::string* text_out) {
  Result<std::string> text = read_file(bundle_dir + "/config.json");
  if (!text.ok()) return std::move(text).error().context("config.json");
  auto config = parse_config(*text);
  if (config.ok() && text_out != nullptr) *text_out = std::move(*text);
  return config;
}

Result<Process> parse_process_json(std::string_view json_text, std::string_view file) {
  const std::string prefix = std::string(file) + ": ";
  try {
    Result<json> document = parse_json(json_text, file);
    if (!document.ok()) return std::move(document).error();
    return parse_process(Node(*document, ""));
  } catch (const ConfigError& e) {
    if (e.path.empty()) return Error(prefix + e.message);
    return Error(prefix + e.path + ": " + e.message);
  } catch (const std::exception& e) {  // out of memory
    return Error(prefix + e.what());
  }
}

}  // namespace husk::oci
