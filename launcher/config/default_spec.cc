#include "default_spec.h"

#include <unistd.h>

#include <string_view>

namespace husk::oci {
namespace {

constexpr std::string_view kProcessAndRoot = R"({
	"ociVersion": "1.2.0",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "husk",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620")";

// gid=5 (tty) exists only when the container has the host's groups.
constexpr std::string_view kDevptsGid = R"(,
				"gid=5")";

constexpr std::string_view kShmAndMqueue = R"(
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},)";

constexpr std::string_view kSysfs = R"(
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},)";

// Without its own network namespace a rootless container may not mount sysfs: bind the host's.
constexpr std::string_view kSysfsRootless = R"(
		{
			"destination": "/sys",
			"type": "none",
			"source": "/sys",
			"options": [
				"rbind",
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},)";

constexpr std::string_view kCgroupMount = R"(
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {)";

constexpr std::string_view kDeviceRules = R"(
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},)";

constexpr std::string_view kNamespaces = R"(
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],)";

constexpr std::string_view kNamespacesRootless = R"(
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			},
			{
				"type": "user"
			}
		],)";

constexpr std::string_view kMaskedAndReadonlyPaths = R"(
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
}
)";

// "uidMappings" or "gidMappings": container root is `host_id`, and no other ID is mapped.
std::string id_mapping(std::string_view field, uint32_t host_id) {
  return "\n\t\t\"" + std::string(field) +
         "\": [\n\t\t\t{\n\t\t\t\t\"containerID\": 0,\n\t\t\t\t\"hostID\": " +
         std::to_string(host_id) + ",\n\t\t\t\t\"size\": 1\n\t\t\t}\n\t\t],";
}

}  // namespace

std::string default_spec(bool rootless, uint32_t host_uid, uint32_t host_gid) {
  std::string spec(kProcessAndRoot);
  if (!rootless) spec += kDevptsGid;
  spec += kShmAndMqueue;
  spec += rootless ? kSysfsRootless : kSysfs;
  spec += kCgroupMount;
  if (rootless) {
    spec += id_mapping("uidMappings", host_uid);
    spec += id_mapping("gidMappings", host_gid);
    spec += kNamespacesRootless;
  } else {
    spec += kDeviceRules;
    spec += kNamespaces;
  }
  spec += kMaskedAndReadonlyPaths;
  return spec;
}

std::string default_spec(bool rootless) { return default_spec(rootless, ::getuid(), ::getgid()); }

}  // namespace husk::oci
