// oci_config: the OCI runtime-spec 1.2 config.json, for Linux, as plain data.
// parse_config() turns the text into a Config or one error naming the JSON path.
// Unknown fields are ignored, as the spec says. Unset optionals are fields the file left out;
// an explicit JSON null counts as left out. Names (capabilities, rlimits, seccomp actions, ...)
// are checked against the lists in oci_names.h; check_host_support() (host_support.h) then
// refuses what this host cannot do.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "resources.h"

namespace husk::oci {

struct User {  // process.user
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additional_gids;
  std::optional<std::string> username;  // Windows only; read and ignored
};

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;
};

struct Capabilities {  // process.capabilities; names as "CAP_SYS_ADMIN"
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> inheritable;
  std::vector<std::string> permitted;
  std::vector<std::string> ambient;
};

struct Rlimit {      // process.rlimits[]
  std::string type;  // "RLIMIT_NOFILE"
  uint64_t soft = 0;
  uint64_t hard = 0;
};

struct IoPriority {      // process.ioPriority
  std::string io_class;  // IOPRIO_CLASS_RT | IOPRIO_CLASS_BE | IOPRIO_CLASS_IDLE
  int32_t priority = 0;
};

struct Scheduler {     // process.scheduler
  std::string policy;  // SCHED_OTHER, SCHED_FIFO, ...
  std::optional<int32_t> nice;
  std::optional<int32_t> priority;
  std::vector<std::string> flags;
  std::optional<uint64_t> runtime;
  std::optional<uint64_t> deadline;
  std::optional<uint64_t> period;
};

struct ExecCpuAffinity {  // process.execCPUAffinity
  std::optional<std::string> initial;
  std::optional<std::string> final;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> console_size;
  User user;
  std::vector<std::string> args;
  std::optional<std::string> command_line;  // Windows only
  std::vector<std::string> env;
  std::string cwd;
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool no_new_privileges = false;
  std::optional<std::string> apparmor_profile;
  std::optional<int32_t> oom_score_adj;
  std::optional<Scheduler> scheduler;
  std::optional<std::string> selinux_label;
  std::optional<IoPriority> io_priority;
  std::optional<ExecCpuAffinity> exec_cpu_affinity;
};

struct Root {
  std::string path;
  bool readonly = false;
};

struct IdMapping {  // uidMappings[] / gidMappings[]
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct Mount {              // mounts[]
  std::string destination;  // absolute: a relative one (deprecated) is taken from "/"
  std::string type;
  std::string source;
  std::vector<std::string> options;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int> timeout;  // seconds, > 0
};

struct Hooks {
  std::vector<Hook> prestart;  // deprecated, still run
  std::vector<Hook> create_runtime;
  std::vector<Hook> create_container;
  std::vector<Hook> start_container;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
};

// The namespace types of linux.namespaces[].type.
enum class NamespaceType { kPid, kNetwork, kMount, kIpc, kUts, kUser, kCgroup, kTime };

struct Namespace {
  NamespaceType type = NamespaceType::kPid;
  std::optional<std::string> path;  // join this one instead of creating a new one; never ""
};

struct Device {      // linux.devices[]
  std::string type;  // "c", "b", "u" or "p"
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> file_mode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
};

struct SeccompArg {  // linux.seccomp.syscalls[].args[]
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t value_two = 0;
  std::string op;  // SCMP_CMP_EQ, ...
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;  // SCMP_ACT_*
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
};

struct Seccomp {
  std::string default_action;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
  std::optional<std::string> listener_path;
  std::optional<std::string> listener_metadata;
  std::vector<SeccompSyscall> syscalls;
};

struct TimeOffset {  // linux.timeOffsets.{monotonic,boottime}
  int64_t secs = 0;
  uint32_t nanosecs = 0;
};

struct Personality {
  std::string domain;  // LINUX or LINUX32
  std::vector<std::string> flags;
};

struct IntelRdt {
  std::optional<std::string> clos_id;
  std::optional<std::string> l3_cache_schema;
  std::optional<std::string> mem_bw_schema;
  std::vector<std::string> schemata;
  bool enable_cmt = false;         // 1.1 to 1.2
  bool enable_mbm = false;         // 1.1 to 1.2
  bool enable_monitoring = false;  // 1.3: replaces the two above
};

struct NetDevice {                  // linux.netDevices.<host name>
  std::optional<std::string> name;  // the name inside the container; unset keeps the host name
};

struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uid_mappings;
  std::vector<IdMapping> gid_mappings;
  std::map<std::string, TimeOffset> time_offsets;  // "monotonic", "boottime"
  std::vector<Device> devices;
  std::optional<std::string> cgroups_path;
  std::optional<cgroups::Resources> resources;
  std::string rootfs_propagation;
  std::optional<Seccomp> seccomp;
  std::map<std::string, std::string> sysctl;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::string mount_label;
  std::optional<IntelRdt> intel_rdt;
  std::optional<Personality> personality;
  std::map<std::string, NetDevice> net_devices;  // by host interface name
};

struct Config {
  std::string oci_version;
  Root root;
  std::vector<Mount> mounts;
  std::optional<Process> process;
  std::string hostname;
  std::string domainname;
  Hooks hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux_config;  // "linux"
};

// Parses config.json text. Errors read `config.json: .process.user.uid: expected an unsigned
// integer, got "root"` (the path in jq syntax, then the problem).
Result<Config> parse_config(std::string_view json_text);

// Parses a process object alone (exec's process.json, runtime-spec's "process" schema). Errors
// name `file` and the JSON path: `process.json: .args: expected an array of strings`.
Result<Process> parse_process_json(std::string_view json_text, std::string_view file);

// Reads and parses <bundle>/config.json; the text read goes to `text` when given.
Result<Config> load_config(const std::string& bundle_dir, std::string* text = nullptr);

std::string_view namespace_name(NamespaceType type);  // "pid", "network", ...

}  // namespace husk::oci
