#include "oci_config.h"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "read_file.h"
#include "test_util.h"

namespace husk::oci {
namespace {

using testing::read_corpus;
using testing::TempDir;

// The error text of parsing `json`, or "ok".
std::string error_of(std::string_view json) {
  Result<Config> config = parse_config(json);
  return config.ok() ? "ok" : config.error().text();
}

// The smallest valid document, with `members` added at the top level.
std::string doc(const std::string& members) {
  std::string text = R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"})";
  return members.empty() ? text + "}" : text + ", " + members + "}";
}

// A document with a process: `members` beside the required args and cwd.
std::string with_process(const std::string& members) {
  return doc(R"("process": {"args": ["sh"], "cwd": "/", )" + members + "}");
}

std::string with_linux(const std::string& members) { return doc(R"("linux": {)" + members + "}"); }

TEST(OciConfig, ReadsEveryField) {
  Result<Config> parsed = parse_config(read_corpus("full.json"));
  ASSERT_TRUE(parsed.ok()) << parsed.error().text();
  const Config& c = *parsed;
  EXPECT_EQ(c.oci_version, "1.2.0");
  EXPECT_EQ(c.root.path, "rootfs");
  EXPECT_TRUE(c.root.readonly);
  EXPECT_EQ(c.hostname, "box");
  EXPECT_EQ(c.domainname, "example.test");
  EXPECT_EQ(c.annotations,
            (std::map<std::string, std::string>{{"com.example.key", "value"}, {"other", ""}}));

  ASSERT_TRUE(c.process);
  const Process& p = *c.process;
  EXPECT_TRUE(p.terminal);
  ASSERT_TRUE(p.console_size);
  EXPECT_EQ(p.console_size->height, 25u);
  EXPECT_EQ(p.console_size->width, 80u);
  EXPECT_EQ(p.user.uid, 1000u);
  EXPECT_EQ(p.user.gid, 1001u);
  EXPECT_EQ(p.user.umask, 18u);
  EXPECT_EQ(p.user.additional_gids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.user.username, "ignored");
  EXPECT_EQ(p.args, (std::vector<std::string>{"/bin/sh", "-c", "true"}));
  EXPECT_EQ(p.command_line, "ignored on Linux");
  EXPECT_EQ(p.env, (std::vector<std::string>{"PATH=/usr/bin:/bin", "TERM=xterm"}));
  EXPECT_EQ(p.cwd, "/home/user");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding,
            (std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}));
  EXPECT_EQ(p.capabilities->effective, (std::vector<std::string>{"CAP_KILL"}));
  EXPECT_EQ(p.capabilities->inheritable, (std::vector<std::string>{"CAP_CHOWN"}));
  EXPECT_EQ(p.capabilities->permitted,
            (std::vector<std::string>{"CAP_KILL", "CAP_CHECKPOINT_RESTORE"}));
  EXPECT_EQ(p.capabilities->ambient, (std::vector<std::string>{"CAP_NET_BIND_SERVICE"}));
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0].type, "RLIMIT_NOFILE");
  EXPECT_EQ(p.rlimits[0].soft, 1024u);
  EXPECT_EQ(p.rlimits[0].hard, 4096u);
  EXPECT_EQ(p.rlimits[1].hard, UINT64_MAX);
  EXPECT_TRUE(p.no_new_privileges);
  EXPECT_EQ(p.apparmor_profile, "acme_secure_profile");
  EXPECT_EQ(p.oom_score_adj, -500);
  ASSERT_TRUE(p.scheduler);
  EXPECT_EQ(p.scheduler->policy, "SCHED_DEADLINE");
  EXPECT_EQ(p.scheduler->nice, -5);
  EXPECT_EQ(p.scheduler->priority, 3);
  EXPECT_EQ(p.scheduler->flags,
            (std::vector<std::string>{"SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM"}));
  EXPECT_EQ(p.scheduler->runtime, 10000000u);
  EXPECT_EQ(p.scheduler->deadline, 20000000u);
  EXPECT_EQ(p.scheduler->period, 30000000u);
  EXPECT_EQ(p.selinux_label, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
  ASSERT_TRUE(p.io_priority);
  EXPECT_EQ(p.io_priority->io_class, "IOPRIO_CLASS_BE");
  EXPECT_EQ(p.io_priority->priority, 4);
  ASSERT_TRUE(p.exec_cpu_affinity);
  EXPECT_EQ(p.exec_cpu_affinity->initial, "7");
  EXPECT_EQ(p.exec_cpu_affinity->final, "0-3,7");

  ASSERT_EQ(c.mounts.size(), 3u);
  EXPECT_EQ(c.mounts[0].destination, "/proc");
  EXPECT_EQ(c.mounts[0].type, "proc");
  EXPECT_EQ(c.mounts[0].source, "proc");
  EXPECT_TRUE(c.mounts[0].options.empty());
  EXPECT_EQ(c.mounts[1].options, (std::vector<std::string>{"rbind", "ro", "idmap"}));
  ASSERT_EQ(c.mounts[1].uid_mappings.size(), 1u);
  EXPECT_EQ(c.mounts[1].uid_mappings[0].host_id, 100000u);
  EXPECT_EQ(c.mounts[1].uid_mappings[0].size, 65536u);
  ASSERT_EQ(c.mounts[1].gid_mappings.size(), 1u);
  EXPECT_EQ(c.mounts[1].gid_mappings[0].host_id, 200000u);
  EXPECT_EQ(c.mounts[2].destination, "/tmp");  // relative: taken relative to "/"
  EXPECT_EQ(c.mounts[2].source, "");

  EXPECT_EQ(c.hooks.prestart.size(), 1u);
  ASSERT_EQ(c.hooks.create_runtime.size(), 1u);
  EXPECT_EQ(c.hooks.create_runtime[0].path, "/usr/bin/netns");
  EXPECT_EQ(c.hooks.create_runtime[0].args, (std::vector<std::string>{"netns", "add"}));
  EXPECT_EQ(c.hooks.create_runtime[0].env, (std::vector<std::string>{"A=1"}));
  EXPECT_EQ(c.hooks.create_runtime[0].timeout, 5);
  EXPECT_EQ(c.hooks.create_container[0].path, "/usr/bin/cc");
  EXPECT_EQ(c.hooks.start_container[0].path, "/usr/bin/sc");
  EXPECT_EQ(c.hooks.poststart[0].args, (std::vector<std::string>{"notify", "started"}));
  EXPECT_FALSE(c.hooks.poststart[0].timeout);
  EXPECT_EQ(c.hooks.poststop[0].timeout, 60);

  ASSERT_TRUE(c.linux_config);
  const Linux& l = *c.linux_config;
  ASSERT_EQ(l.namespaces.size(), 8u);
  const NamespaceType types[] = {
      NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kMount,  NamespaceType::kIpc,
      NamespaceType::kUts, NamespaceType::kUser,    NamespaceType::kCgroup, NamespaceType::kTime};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(l.namespaces[i].type, types[i]);
  EXPECT_EQ(l.namespaces[1].path, "/var/run/netns/neta");
  EXPECT_FALSE(l.namespaces[0].path);
  ASSERT_EQ(l.uid_mappings.size(), 1u);
  EXPECT_EQ(l.uid_mappings[0].container_id, 0u);
  EXPECT_EQ(l.uid_mappings[0].host_id, 1000u);
  EXPECT_EQ(l.uid_mappings[0].size, 32000u);
  ASSERT_EQ(l.gid_mappings.size(), 2u);
  EXPECT_EQ(l.gid_mappings[1].container_id, 1u);
  ASSERT_EQ(l.time_offsets.size(), 2u);
  EXPECT_EQ(l.time_offsets.at("monotonic").secs, -86400);
  EXPECT_EQ(l.time_offsets.at("monotonic").nanosecs, 500u);
  EXPECT_EQ(l.time_offsets.at("boottime").secs, 7200);
  EXPECT_EQ(l.time_offsets.at("boottime").nanosecs, 0u);
  ASSERT_EQ(l.devices.size(), 3u);
  EXPECT_EQ(l.devices[0].type, "c");
  EXPECT_EQ(l.devices[0].path, "/dev/fuse");
  EXPECT_EQ(l.devices[0].major, 10);
  EXPECT_EQ(l.devices[0].minor, 229);
  EXPECT_EQ(l.devices[0].file_mode, 438u);
  EXPECT_EQ(l.devices[0].uid, 0u);
  EXPECT_EQ(l.devices[0].gid, 0u);
  EXPECT_FALSE(l.devices[1].file_mode);
  EXPECT_EQ(l.devices[2].type, "p");
  EXPECT_EQ(l.devices[2].major, 0);
  ASSERT_EQ(l.net_devices.size(), 2u);
  EXPECT_EQ(l.net_devices.at("eth1").name, "ctr0");
  EXPECT_FALSE(l.net_devices.at("dummy0").name);
  EXPECT_EQ(l.cgroups_path, "/myRuntime/myContainer");
  EXPECT_EQ(l.rootfs_propagation, "rslave");
  EXPECT_EQ(l.sysctl, (std::map<std::string, std::string>{{"net.ipv4.ip_forward", "1"},
                                                          {"kernel.shm_rmid_forced", "1"}}));
  EXPECT_EQ(l.masked_paths, (std::vector<std::string>{"/proc/kcore", "/sys/firmware"}));
  EXPECT_EQ(l.readonly_paths, (std::vector<std::string>{"/proc/sys"}));
  EXPECT_EQ(l.mount_label, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
  ASSERT_TRUE(l.intel_rdt);
  EXPECT_EQ(l.intel_rdt->clos_id, "guaranteed_group");
  EXPECT_EQ(l.intel_rdt->l3_cache_schema, "L3:0=7f0;1=1f");
  EXPECT_EQ(l.intel_rdt->mem_bw_schema, "MB:0=20;1=70");
  EXPECT_EQ(l.intel_rdt->schemata, (std::vector<std::string>{"L2:0=f;1=f"}));
  EXPECT_TRUE(l.intel_rdt->enable_cmt);
  EXPECT_TRUE(l.intel_rdt->enable_mbm);
  EXPECT_TRUE(l.intel_rdt->enable_monitoring);
  ASSERT_TRUE(l.personality);
  EXPECT_EQ(l.personality->domain, "LINUX32");
  EXPECT_TRUE(l.personality->flags.empty());

  ASSERT_TRUE(l.seccomp);
  const Seccomp& s = *l.seccomp;
  EXPECT_EQ(s.default_action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(s.default_errno_ret, 38u);
  EXPECT_EQ(s.architectures,
            (std::vector<std::string>{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  EXPECT_EQ(s.flags, (std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG",
                                               "SECCOMP_FILTER_FLAG_SPEC_ALLOW"}));
  EXPECT_EQ(s.listener_path, "/run/seccomp-agent.socket");
  EXPECT_EQ(s.listener_metadata, "meta");
  ASSERT_EQ(s.syscalls.size(), 4u);
  EXPECT_EQ(s.syscalls[0].names, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(s.syscalls[0].action, "SCMP_ACT_ALLOW");
  EXPECT_FALSE(s.syscalls[0].errno_ret);
  ASSERT_EQ(s.syscalls[1].args.size(), 2u);
  EXPECT_EQ(s.syscalls[1].args[0].index, 0u);
  EXPECT_EQ(s.syscalls[1].args[0].value, 8u);
  EXPECT_EQ(s.syscalls[1].args[0].value_two, 0u);
  EXPECT_EQ(s.syscalls[1].args[0].op, "SCMP_CMP_EQ");
  EXPECT_EQ(s.syscalls[1].args[1].value_two, 4u);
  EXPECT_EQ(s.syscalls[1].args[1].op, "SCMP_CMP_MASKED_EQ");
  EXPECT_EQ(s.syscalls[2].errno_ret, 1u);

  ASSERT_TRUE(l.resources);
  const cgroups::Resources& r = *l.resources;
  ASSERT_EQ(r.devices.size(), 2u);
  EXPECT_FALSE(r.devices[0].allow);
  EXPECT_FALSE(r.devices[0].type);
  EXPECT_FALSE(r.devices[0].major);
  EXPECT_EQ(r.devices[0].access, "rwm");
  EXPECT_TRUE(r.devices[1].allow);
  EXPECT_EQ(r.devices[1].type, 'c');
  EXPECT_EQ(r.devices[1].major, 10);
  EXPECT_EQ(r.devices[1].minor, 229);
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 536870912);
  EXPECT_EQ(r.memory->reservation, 268435456);
  EXPECT_EQ(r.memory->swap, -1);
  EXPECT_EQ(r.memory->kernel, -1);
  EXPECT_EQ(r.memory->kernel_tcp, 1048576);
  EXPECT_EQ(r.memory->swappiness, 60u);
  EXPECT_EQ(r.memory->disable_oom_killer, true);
  EXPECT_EQ(r.memory->use_hierarchy, false);
  EXPECT_EQ(r.memory->check_before_update, true);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 1024u);
  EXPECT_EQ(r.cpu->quota, 1000000);
  EXPECT_EQ(r.cpu->burst, 500000u);
  EXPECT_EQ(r.cpu->period, 500000u);
  EXPECT_EQ(r.cpu->realtime_runtime, 950000);
  EXPECT_EQ(r.cpu->realtime_period, 1000000u);
  EXPECT_EQ(r.cpu->cpus, "2-3");
  EXPECT_EQ(r.cpu->mems, "0-7");
  EXPECT_EQ(r.cpu->idle, 1);
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, 32771);
  ASSERT_TRUE(r.block_io);
  EXPECT_EQ(r.block_io->weight, 10);
  EXPECT_EQ(r.block_io->leaf_weight, 20);
  ASSERT_EQ(r.block_io->weight_device.size(), 2u);
  EXPECT_EQ(r.block_io->weight_device[0].major, 8);
  EXPECT_EQ(r.block_io->weight_device[0].weight, 500);
  EXPECT_EQ(r.block_io->weight_device[0].leaf_weight, 300);
  EXPECT_EQ(r.block_io->weight_device[1].minor, 16);
  EXPECT_FALSE(r.block_io->weight_device[1].leaf_weight);
  EXPECT_EQ(r.block_io->throttle_read_bps_device.at(0).rate, 600u);
  EXPECT_EQ(r.block_io->throttle_write_bps_device.at(0).rate, 700u);
  EXPECT_EQ(r.block_io->throttle_read_iops_device.at(0).rate, 800u);
  EXPECT_EQ(r.block_io->throttle_write_iops_device.at(0).minor, 3);
  ASSERT_EQ(r.hugepage_limits.size(), 2u);
  EXPECT_EQ(r.hugepage_limits[0].page_size, "2MB");
  EXPECT_EQ(r.hugepage_limits[0].limit, 209715200u);
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->class_id, 1048577u);
  ASSERT_EQ(r.network->priorities.size(), 2u);
  EXPECT_EQ(r.network->priorities[1].name, "eth1");
  EXPECT_EQ(r.network->priorities[1].priority, 1000u);
  ASSERT_EQ(r.rdma.size(), 2u);
  EXPECT_EQ(r.rdma.at("mlx5_1").hca_handles, 3u);
  EXPECT_EQ(r.rdma.at("mlx5_1").hca_objects, 10000u);
  EXPECT_FALSE(r.rdma.at("rxe3").hca_handles);
  EXPECT_EQ(r.unified, (std::map<std::string, std::string>{{"io.max", "259:0 rbps=2097152"},
                                                           {"memory.high", "max"}}));
}

TEST(OciConfig, Defaults) {
  Result<Config> bare = parse_config(doc(""));
  ASSERT_TRUE(bare.ok()) << bare.error().text();
  EXPECT_FALSE(bare->root.readonly);
  EXPECT_FALSE(bare->process);
  EXPECT_FALSE(bare->linux_config);
  EXPECT_TRUE(bare->mounts.empty());
  EXPECT_TRUE(bare->hostname.empty());
  EXPECT_TRUE(bare->hooks.poststop.empty());
  EXPECT_TRUE(bare->annotations.empty());

  Result<Config> c = parse_config(with_process(R"("env": null)"));
  ASSERT_TRUE(c.ok()) << c.error().text();
  const Process& p = *c->process;
  EXPECT_FALSE(p.terminal);
  EXPECT_FALSE(p.console_size);
  EXPECT_EQ(p.user.uid, 0u);
  EXPECT_EQ(p.user.gid, 0u);
  EXPECT_FALSE(p.user.umask);
  EXPECT_TRUE(p.env.empty());
  EXPECT_FALSE(p.capabilities);
  EXPECT_TRUE(p.rlimits.empty());
  EXPECT_FALSE(p.no_new_privileges);
  EXPECT_FALSE(p.apparmor_profile);
  EXPECT_FALSE(p.oom_score_adj);
  EXPECT_FALSE(p.scheduler);
  EXPECT_FALSE(p.io_priority);

  Result<Config> l = parse_config(with_linux(R"("namespaces": [{"type": "pid", "path": ""}])"));
  ASSERT_TRUE(l.ok()) << l.error().text();
  EXPECT_FALSE(l->linux_config->namespaces[0].path);  // Go writes "" for no path
  EXPECT_FALSE(l->linux_config->resources);
  EXPECT_FALSE(l->linux_config->seccomp);
  EXPECT_TRUE(l->linux_config->rootfs_propagation.empty());
}

TEST(OciConfig, NullIsAbsentAndUnknownFieldsAreIgnored) {
  Result<Config> c =
      parse_config(doc(R"("hostname": null, "process": null, "linux": {"resources": {"memory": {)"
                       R"("swappiness": 18446744073709551615}}, "future": {"x": [1]}}, "vm": {})"));
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_TRUE(c->hostname.empty());
  EXPECT_FALSE(c->process);
  // Docker's -1 as uint64: leave swappiness alone.
  EXPECT_FALSE(c->linux_config->resources->memory->swappiness);
}

struct BadCase {
  std::string json;
  std::string error;
};

void expect_errors(const std::vector<BadCase>& cases) {
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.json);
    EXPECT_EQ(error_of(c.json), c.error);
  }
}

TEST(OciConfig, ErrorsInTheDocument) {
  expect_errors({
      {R"([1, 2])", "config.json: expected an object, got an array"},
      {R"(null)", "config.json: expected an object, got null"},
      {R"({"root": {"path": "rootfs"}})", "config.json: .ociVersion: required field missing"},
      {R"({"ociVersion": 1, "root": {"path": "rootfs"}})",
       "config.json: .ociVersion: expected a string, got 1"},
      {R"({"ociVersion": "2.0.0", "root": {"path": "rootfs"}})",
       R"(config.json: .ociVersion: unsupported version "2.0.0" (expected 1.x))"},
      {R"({"ociVersion": "1.2.0"})", "config.json: .root: required field missing"},
      {R"({"ociVersion": "1.2.0", "root": {}})", "config.json: .root.path: required field missing"},
      {R"({"ociVersion": "1.2.0", "root": {"path": ""}})",
       R"(config.json: .root.path: expected a non-empty string, got "")"},
      {R"({"ociVersion": "1.2.0", "root": {"path": "r", "readonly": "yes"}})",
       R"(config.json: .root.readonly: expected a boolean, got "yes")"},
      {doc(R"("hostname": ["a"])"), "config.json: .hostname: expected a string, got an array"},
      {doc(R"("mounts": {})"), "config.json: .mounts: expected an array, got an object"},
      {doc(R"("mounts": [{"destination": "/a"}, {"destination": "/b"}, {"destination": 5}])"),
       "config.json: .mounts[2].destination: expected a string, got 5"},
      {doc(R"("mounts": [{"type": "tmpfs"}])"),
       "config.json: .mounts[0].destination: required field missing"},
      {doc(R"("mounts": [{"destination": "/a", "options": ["ro", 1]}])"),
       "config.json: .mounts[0].options[1]: expected a string, got 1"},
      {doc(R"("mounts": [{"destination": "/a", "uidMappings": )"
           R"([{"containerID": 0, "hostID": 1, "size": 1}]}])"),
       "config.json: .mounts[0].gidMappings: required with uidMappings"},
      {doc(R"("hooks": {"poststop": [{"path": "/bin/true", "timeout": 0}]})"),
       "config.json: .hooks.poststop[0].timeout: must be greater than zero, got 0"},
      {doc(R"("hooks": {"createRuntime": [{"path": "true"}]})"),
       R"(config.json: .hooks.createRuntime[0].path: expected an absolute path, got "true")"},
      {doc(R"("hooks": {"prestart": [{"args": []}]})"),
       "config.json: .hooks.prestart[0].path: required field missing"},
      {doc(R"("annotations": {"org.example": 5})"),
       R"(config.json: .annotations["org.example"]: expected a string, got 5)"},
      {doc(R"("annotations": {"": "x"})"),
       R"(config.json: .annotations[""]: empty annotation key)"},
      {doc(R"("hostname": "a\"b\u00e9")"), "ok"},
      {doc(R"("domainname": true)"), "config.json: .domainname: expected a string, got true"},
  });
}

TEST(OciConfig, ErrorsInTheProcess) {
  expect_errors({
      {doc(R"("process": [])"), "config.json: .process: expected an object, got an array"},
      {doc(R"("process": {"cwd": "/"})"), "config.json: .process.args: required field missing"},
      {doc(R"("process": {"cwd": "/", "args": []})"),
       "config.json: .process.args: expected at least one entry"},
      {doc(R"("process": {"args": ["sh"]})"), "config.json: .process.cwd: required field missing"},
      {doc(R"("process": {"args": ["sh"], "cwd": "home"})"),
       R"(config.json: .process.cwd: expected an absolute path, got "home")"},
      {with_process(R"("terminal": 1)"),
       "config.json: .process.terminal: expected a boolean, got 1"},
      {with_process(R"("user": {"uid": "root", "gid": 0})"),
       R"(config.json: .process.user.uid: expected an unsigned integer, got "root")"},
      {with_process(R"("user": {"uid": 0})"),
       "config.json: .process.user.gid: required field missing"},
      {with_process(R"("user": {"uid": 4294967296, "gid": 0})"),
       "config.json: .process.user.uid: 4294967296 is out of range (0 to 4294967295)"},
      {with_process(R"("user": {"uid": 0, "gid": -1})"),
       "config.json: .process.user.gid: -1 is out of range (0 to 4294967295)"},
      {with_process(R"("user": {"uid": 1.5, "gid": 0})"),
       "config.json: .process.user.uid: expected an unsigned integer, got 1.5"},
      {with_process(R"("user": {"uid": 99999999999999999999, "gid": 0})"),
       "config.json: .process.user.uid: 1e+20 is out of range (0 to 4294967295)"},
      {with_process(R"("user": {"uid": 0, "gid": 0, "umask": 512})"),
       "config.json: .process.user.umask: 512 is out of range (0 to 511)"},
      {with_process(R"("user": {"uid": 0, "gid": 0, "additionalGids": [1, "x"]})"),
       R"(config.json: .process.user.additionalGids[1]: expected an unsigned integer, got "x")"},
      {with_process(R"("consoleSize": {"height": 25})"),
       "config.json: .process.consoleSize.width: required field missing"},
      {with_process(R"("capabilities": {"bounding": ["CAP_KILL", "CAP_FOO"]})"),
       R"(config.json: .process.capabilities.bounding[1]: unknown capability "CAP_FOO")"},
      {with_process(R"("capabilities": {"ambient": ["kill"]})"),
       R"(config.json: .process.capabilities.ambient[0]: unknown capability "kill")"},
      {with_process(R"("rlimits": [{"type": "RLIMIT_FOO", "soft": 1, "hard": 1}])"),
       R"(config.json: .process.rlimits[0].type: unknown rlimit type "RLIMIT_FOO")"},
      {with_process(R"("rlimits": [{"type": "RLIMIT_NOFILE", "soft": 1, "hard": 1},)"
                    R"({"type": "RLIMIT_NOFILE", "soft": 2, "hard": 2}])"),
       R"(config.json: .process.rlimits[1].type: duplicate rlimit type "RLIMIT_NOFILE")"},
      {with_process(R"("rlimits": [{"type": "RLIMIT_CORE", "soft": 10, "hard": 5}])"),
       "config.json: .process.rlimits[0]: soft limit 10 is above the hard limit 5"},
      {with_process(R"("rlimits": [{"type": "RLIMIT_CORE", "soft": 1}])"),
       "config.json: .process.rlimits[0].hard: required field missing"},
      {with_process(R"("oomScoreAdj": 1001)"),
       "config.json: .process.oomScoreAdj: 1001 is out of range (-1000 to 1000)"},
      {with_process(R"("scheduler": {"policy": "SCHED_FAST"})"),
       R"(config.json: .process.scheduler.policy: unknown scheduling policy "SCHED_FAST")"},
      {with_process(R"("scheduler": {"policy": "SCHED_OTHER", "nice": 20})"),
       "config.json: .process.scheduler.nice: 20 is out of range (-20 to 19)"},
      {with_process(R"("scheduler": {"policy": "SCHED_RR", "flags": ["SCHED_FLAG_X"]})"),
       R"(config.json: .process.scheduler.flags[0]: unknown scheduler flag "SCHED_FLAG_X")"},
      {with_process(R"("ioPriority": {"class": "IOPRIO_CLASS_NONE", "priority": 0})"),
       R"(config.json: .process.ioPriority.class: unknown I/O priority class "IOPRIO_CLASS_NONE")"},
      {with_process(R"("ioPriority": {"class": "IOPRIO_CLASS_RT", "priority": 8})"),
       "config.json: .process.ioPriority.priority: 8 is out of range (0 to 7)"},
      {with_process(R"("execCPUAffinity": {"initial": "3-1"})"),
       R"(config.json: .process.execCPUAffinity.initial: expected a CPU list such as "0-3,7", got "3-1")"},
      {with_process(R"("execCPUAffinity": {"final": "0,,1"})"),
       R"(config.json: .process.execCPUAffinity.final: expected a CPU list such as "0-3,7", got "0,,1")"},
      {with_process(R"("apparmorProfile": 7)"),
       "config.json: .process.apparmorProfile: expected a string, got 7"},
  });
}

TEST(OciConfig, ErrorsInLinux) {
  expect_errors({
      {with_linux(R"("namespaces": [{"type": "pid"}, {"type": "foo"}])"),
       R"(config.json: .linux.namespaces[1].type: unknown namespace type "foo")"},
      {with_linux(R"("namespaces": [{"type": "pid"}, {"type": "net"}])"),
       R"(config.json: .linux.namespaces[1].type: unknown namespace type "net")"},
      {with_linux(R"("namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "pid"}])"),
       R"(config.json: .linux.namespaces[2].type: duplicate namespace type "pid")"},
      {with_linux(R"("namespaces": [{"path": "/proc/1/ns/pid"}])"),
       "config.json: .linux.namespaces[0].type: required field missing"},
      {with_linux(R"("namespaces": [{"type": "network", "path": "netns/a"}])"),
       R"(config.json: .linux.namespaces[0].path: expected an absolute path, got "netns/a")"},
      {with_linux(R"("uidMappings": [{"containerID": 0, "hostID": 1000, "size": 0}])"),
       "config.json: .linux.uidMappings[0].size: must be at least 1"},
      {with_linux(R"("gidMappings": [{"containerID": 4294967295, "hostID": 0, "size": 2}])"),
       "config.json: .linux.gidMappings[0]: containerID 4294967295 + size 2 goes past the last "
       "32-bit ID"},
      {with_linux(R"("uidMappings": [{"containerID": 0, "hostID": 4294967000, "size": 1000}])"),
       "config.json: .linux.uidMappings[0]: hostID 4294967000 + size 1000 goes past the last "
       "32-bit ID"},
      {with_linux(R"("uidMappings": [{"containerID": 0, "size": 1}])"),
       "config.json: .linux.uidMappings[0].hostID: required field missing"},
      {with_linux(R"("timeOffsets": {"realtime": {"secs": 1}})"),
       R"(config.json: .linux.timeOffsets.realtime: unknown clock "realtime" (expected monotonic or boottime))"},
      {with_linux(R"("timeOffsets": {"boottime": {"nanosecs": 1000000000}})"),
       "config.json: .linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range (0 to "
       "999999999)"},
      {with_linux(R"("devices": [{"type": "x", "path": "/dev/x"}])"),
       R"(config.json: .linux.devices[0].type: unknown device type "x" (expected c, b, u or p))"},
      {with_linux(R"("devices": [{"type": "c", "path": "/dev/x", "major": 1}])"),
       "config.json: .linux.devices[0].minor: required field missing"},
      {with_linux(R"("devices": [{"type": "c", "path": "dev/x", "major": 1, "minor": 3}])"),
       R"(config.json: .linux.devices[0].path: expected an absolute path, got "dev/x")"},
      {with_linux(R"("rootfsPropagation": "bogus")"),
       R"(config.json: .linux.rootfsPropagation: unknown rootfs propagation "bogus")"},
      {with_linux(R"("sysctl": {"../../etc/passwd": "x"})"),
       R"(config.json: .linux.sysctl["../../etc/passwd"]: expected a sysctl name, got "../../etc/passwd")"},
      {with_linux(R"("sysctl": {"net.ipv4.ip_forward": 1})"),
       R"(config.json: .linux.sysctl["net.ipv4.ip_forward"]: expected a string, got 1)"},
      {with_linux(R"("maskedPaths": ["proc/kcore"])"),
       R"(config.json: .linux.maskedPaths[0]: expected an absolute path, got "proc/kcore")"},
      {with_linux(R"("readonlyPaths": [null])"),
       "config.json: .linux.readonlyPaths[0]: expected a string, got null"},
      {with_linux(R"("intelRdt": {"closID": "../x"})"),
       R"(config.json: .linux.intelRdt.closID: expected a file name, got "../x")"},
      {with_linux(R"("intelRdt": {"memBwSchema": "L3:0=1"})"),
       R"(config.json: .linux.intelRdt.memBwSchema: expected a schema starting with "MB:", got "L3:0=1")"},
      {with_linux(R"("intelRdt": {"schemata": ["L3:0=1\nMB:0=2"]})"),
       "config.json: .linux.intelRdt.schemata[0]: must not contain a newline"},
      {with_linux(R"("personality": {"domain": "LINUX64"})"),
       R"(config.json: .linux.personality.domain: unknown personality domain "LINUX64")"},
      {with_linux(R"("personality": {})"),
       "config.json: .linux.personality.domain: required field missing"},
      {with_linux(R"("netDevices": {"eth0": {"name": "a-very-long-name0"}})"),
       R"(config.json: .linux.netDevices.eth0.name: expected a network interface name, got "a-very-long-name0")"},
      {with_linux(R"("netDevices": {"a/b": {}})"),
       R"(config.json: .linux.netDevices["a/b"]: expected a network interface name, got "a/b")"},
  });
}

TEST(OciConfig, ErrorsInResources) {
  auto with_resources = [](const std::string& members) {
    return with_linux(R"("resources": {)" + members + "}");
  };
  expect_errors({
      {with_resources(R"("devices": [{"access": "rwm"}])"),
       "config.json: .linux.resources.devices[0].allow: required field missing"},
      {with_resources(R"("devices": [{"allow": true, "type": "z"}])"),
       R"(config.json: .linux.resources.devices[0].type: unknown device type "z" (expected a, b or c))"},
      {with_resources(R"("devices": [{"allow": true, "access": "rwx"}])"),
       R"(config.json: .linux.resources.devices[0].access: expected a combination of r, w and m, got "rwx")"},
      {with_resources(R"("memory": {"limit": "1G"})"),
       R"(config.json: .linux.resources.memory.limit: expected an integer, got "1G")"},
      {with_resources(R"("memory": {"limit": 9223372036854775808})"),
       "config.json: .linux.resources.memory.limit: 9223372036854775808 is out of range "
       "(-9223372036854775808 to 9223372036854775807)"},
      {with_resources(R"("memory": {"swappiness": 101})"),
       "config.json: .linux.resources.memory.swappiness: 101 is out of range (0 to 100)"},
      {with_resources(R"("memory": {"disableOOMKiller": 0})"),
       "config.json: .linux.resources.memory.disableOOMKiller: expected a boolean, got 0"},
      {with_resources(R"("cpu": {"quota": 1000, "burst": 2000})"),
       "config.json: .linux.resources.cpu.burst: burst 2000 is above the quota 1000"},
      {with_resources(R"("cpu": {"shares": -2})"),
       "config.json: .linux.resources.cpu.shares: -2 is out of range (0 to 18446744073709551615)"},
      {with_resources(R"("pids": {})"),
       "config.json: .linux.resources.pids.limit: required field missing"},
      {with_resources(R"("blockIO": {"weight": 65536})"),
       "config.json: .linux.resources.blockIO.weight: 65536 is out of range (0 to 65535)"},
      {with_resources(R"("blockIO": {"weightDevice": [{"major": 8, "minor": 0}]})"),
       "config.json: .linux.resources.blockIO.weightDevice[0]: expected weight or leafWeight"},
      {with_resources(R"("blockIO": {"throttleReadIOPSDevice": [{"major": 8, "minor": 0}]})"),
       "config.json: .linux.resources.blockIO.throttleReadIOPSDevice[0].rate: required field "
       "missing"},
      {with_resources(R"("hugepageLimits": [{"pageSize": "2M", "limit": 1}])"),
       R"(config.json: .linux.resources.hugepageLimits[0].pageSize: expected a page size such as "2MB", got "2M")"},
      {with_resources(R"("network": {"priorities": [{"name": "eth0"}]})"),
       "config.json: .linux.resources.network.priorities[0].priority: required field missing"},
      {with_resources(R"("rdma": {"mlx5_1": {}})"),
       "config.json: .linux.resources.rdma.mlx5_1: expected hcaHandles or hcaObjects"},
      {with_resources(R"("unified": {"../cgroup.procs": "1"})"),
       R"(config.json: .linux.resources.unified["../cgroup.procs"]: expected a file name, got "../cgroup.procs")"},
  });
}

TEST(OciConfig, ErrorsInSeccomp) {
  auto with_seccomp = [](const std::string& members) {
    return with_linux(R"("seccomp": {)" + members + "}");
  };
  expect_errors({
      {with_seccomp(R"("architectures": [])"),
       "config.json: .linux.seccomp.defaultAction: required field missing"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_DENY")"),
       R"(config.json: .linux.seccomp.defaultAction: unknown seccomp action "SCMP_ACT_DENY")"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_NOTIFY", "listenerPath": "/s")"),
       "config.json: .linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1)"),
       "config.json: .linux.seccomp.defaultErrnoRet: not allowed with action SCMP_ACT_ALLOW"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_Z80"])"),
       R"(config.json: .linux.seccomp.architectures[0]: unknown seccomp architecture "SCMP_ARCH_Z80")"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_X"])"),
       R"(config.json: .linux.seccomp.flags[0]: unknown seccomp flag "SECCOMP_FILTER_FLAG_X")"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "m")"),
       "config.json: .linux.seccomp.listenerMetadata: not allowed without listenerPath"},
      {with_seccomp(
           R"("defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_LOG"}])"),
       "config.json: .linux.seccomp.syscalls[0].names: required field missing"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": [], )"
                    R"("action": "SCMP_ACT_LOG"}])"),
       "config.json: .linux.seccomp.syscalls[0].names: expected at least one entry"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], )"
                    R"("action": "SCMP_ACT_KILL", "errnoRet": 1}])"),
       "config.json: .linux.seccomp.syscalls[0].errnoRet: not allowed with action SCMP_ACT_KILL"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], )"
                    R"("action": "SCMP_ACT_NOTIFY"}])"),
       "config.json: .linux.seccomp.listenerPath: required when syscalls[0] uses "
       "SCMP_ACT_NOTIFY"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], )"
                    R"("action": "SCMP_ACT_ALLOW", "args": [{"index": 6, "value": 1, )"
                    R"("op": "SCMP_CMP_EQ"}]}])"),
       "config.json: .linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0 to 5)"},
      {with_seccomp(R"("defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], )"
                    R"("action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, )"
                    R"("op": "SCMP_CMP_IS"}]}])"),
       R"(config.json: .linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator "SCMP_CMP_IS")"},
  });
}

TEST(OciConfig, LongAndOddStringsAreQuotedShort) {
  std::string long_type(200, 'x');
  EXPECT_EQ(error_of(with_linux(R"("namespaces": [{"type": ")" + long_type + R"("}])")),
            "config.json: .linux.namespaces[0].type: unknown namespace type \"" +
                std::string(64, 'x') + "...\"");
  EXPECT_EQ(error_of(with_linux(R"("namespaces": [{"type": "a\"b\n"}])")),
            R"(config.json: .linux.namespaces[0].type: unknown namespace type "a\"b\n")");
}

TEST(OciConfig, SyntaxErrorsGiveLineAndColumn) {
  EXPECT_EQ(error_of("{\n  \"ociVersion\": \"1.0.0\",\n    x\n}"),
            "config.json: line 3, column 5: syntax error while parsing object key - invalid "
            "literal; last read: '\"1.0.0\",<U+000A>    x'; expected string literal");
  EXPECT_EQ(error_of(""),
            "config.json: line 1, column 1: syntax error while parsing value - unexpected end of "
            "input; expected '[', '{', or a literal");
  EXPECT_EQ(error_of("{\"a\": 1,"),
            "config.json: line 1, column 9: syntax error while parsing object key - unexpected "
            "end of input; expected string literal");
  EXPECT_EQ(error_of("{}\n{}"),
            "config.json: line 2, column 1: syntax error while parsing value - unexpected '{'; "
            "expected end of input");
  EXPECT_EQ(error_of("{\"a\": \"\xff\"}"),
            "config.json: line 1, column 8: syntax error while parsing value - invalid string: "
            "ill-formed UTF-8 byte; last read: '\"?'");
  EXPECT_EQ(error_of("{\"a\": 1e400}"),
            "config.json: line 1, column 11: number overflow parsing '1e400'");
  // nlohmann would stop at the NUL and take the text before it.
  EXPECT_EQ(error_of(std::string_view("{\"a\": 1}\0{", 10)),
            "config.json: line 1, column 9: syntax error - NUL byte");
}

TEST(OciConfig, DeepNestingIsNotACrash) {
  std::string deep = doc("\"x\": " + std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(error_of(deep), "ok");
  std::string deep_hostname =
      doc("\"hostname\": " + std::string(100000, '[') + std::string(100000, ']'));
  EXPECT_EQ(error_of(deep_hostname), "config.json: .hostname: expected a string, got an array");
}

TEST(OciConfig, ParsesWhatRuncAndCrunWrite) {
  for (const char* name :
       {"runc-spec.json", "runc-spec-rootless.json", "crun-spec.json", "crun-spec-rootless.json"}) {
    SCOPED_TRACE(name);
    Result<Config> c = parse_config(read_corpus(name));
    ASSERT_TRUE(c.ok()) << c.error().text();
    ASSERT_TRUE(c->process);
    EXPECT_EQ(c->process->args, std::vector<std::string>{"sh"});
    EXPECT_EQ(c->root.path, "rootfs");
    EXPECT_EQ(c->mounts.size(), 7u);
    ASSERT_TRUE(c->linux_config);
    EXPECT_EQ(c->linux_config->masked_paths.size(), 10u);
  }
}

// A NUL cuts a C string short: "/bin/echo\u0000/evil" ran /bin/echo, "ab\u0000cd" set the hostname
// "ab", the destination "/dev/shm\u0000/../../x" mounted at /x.
TEST(OciConfig, ANulInAnyStringIsRefused) {
  const std::string nul = R"(\u0000)";
  const std::pair<std::string, std::string> cases[] = {
      {with_process(R"("args": ["/bin/echo)" + nul + R"(/evil"])"),
       R"(.process.args[0]: must not contain a NUL character, got "/bin/echo\u0000/evil")"},
      {with_process(R"("env": ["A=b)" + nul + R"("])"), ".process.env[0]: "},
      {doc(R"("process": {"args": ["sh"], "cwd": "/a)" + nul + R"("})"), ".process.cwd: "},
      {doc(R"("hostname": "ab)" + nul + R"(cd")"), ".hostname: "},
      {doc(R"("domainname": ")" + nul + R"(")"), ".domainname: "},
      {doc(R"("root": {"path": "root)" + nul + R"(fs"})"), ".root.path: "},
      {doc(R"("mounts": [{"destination": "/dev/shm)" + nul + R"(/../../x"}])"),
       ".mounts[0].destination: "},
      {doc(R"("mounts": [{"destination": "/x", "source": "a)" + nul + R"("}])"),
       ".mounts[0].source: "},
      {doc(R"("mounts": [{"destination": "/x", "options": ["ro)" + nul + R"("]}])"),
       ".mounts[0].options[0]: "},
      {doc(R"("hooks": {"prestart": [{"path": "/bin/x)" + nul + R"("}]})"),
       ".hooks.prestart[0].path: "},
      {doc(R"("hooks": {"poststop": [{"path": "/bin/x", "args": ["x)" + nul + R"("]}]})"),
       ".hooks.poststop[0].args[0]: "},
      {doc(R"("hooks": {"poststop": [{"path": "/bin/x", "env": ["x)" + nul + R"("]}]})"),
       ".hooks.poststop[0].env[0]: "},
      {with_linux(R"("namespaces": [{"type": "network", "path": "/x)" + nul + R"("}])"),
       ".linux.namespaces[0].path: "},
      {with_linux(R"("cgroupsPath": "a)" + nul + R"(")"), ".linux.cgroupsPath: "},
      {with_linux(R"("devices": [{"type": "c", "path": "/dev/x)" + nul +
                  R"(", "major": 1, "minor": 3}])"),
       ".linux.devices[0].path: "},
      {with_linux(R"("sysctl": {"net.a": "1)" + nul + R"("})"), R"(.linux.sysctl["net.a"]: )"},
      {with_linux(R"("sysctl": {"net)" + nul + R"(": "1"})"),
       R"(.linux.sysctl["net\u0000"]: the key must not contain a NUL character)"},
      {with_linux(
           R"("seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read)" + nul +
           R"("], "action": "SCMP_ACT_ERRNO"}]})"),
       ".linux.seccomp.syscalls[0].names[0]: "},
      {with_linux(R"("maskedPaths": ["/proc/kcore)" + nul + R"("])"), ".linux.maskedPaths[0]: "},
      {doc(R"("annotations": {"a": "b)" + nul + R"("})"), ".annotations.a: "},
      {with_process(R"("user": {"uid": 0, "gid": 0, "username": "r)" + nul + R"("})"),
       ".process.user.username: "},
  };
  for (const auto& [json, message] : cases) {
    std::string error = error_of(json);
    EXPECT_EQ(error.rfind("config.json: " + message, 0), 0u) << json << "\n" << error;
    EXPECT_NE(error.find("must not contain a NUL character"), std::string::npos) << error;
  }
}

// Control characters never reach an error line unescaped: the quoted values are JSON literals.
TEST(OciConfig, QuotedValuesEscapeControlCharacters) {
  EXPECT_EQ(error_of(with_linux(R"("rootfsPropagation": "x\nlaunch: error: forged\u001b[2J")")),
            R"(config.json: .linux.rootfsPropagation: unknown rootfs propagation )"
            R"("x\nlaunch: error: forged\u001b[2J")");
}

TEST(OciConfig, TooManyAdditionalGids) {
  std::string gids;
  for (int i = 0; i < 65537; ++i) {
    if (i > 0) gids += ',';
    gids += std::to_string(i);
  }
  EXPECT_EQ(
      error_of(with_process(R"("user": {"uid": 0, "gid": 0, "additionalGids": [)" + gids + "]}")),
      "config.json: .process.user.additionalGids: 65537 entries, more than the 65536 the "
      "kernel allows");
}

// A device number past 32 bits is reported where the user wrote it, not in the cgroup rules.
TEST(OciConfig, DeviceNumbersAre32Bits) {
  EXPECT_EQ(
      error_of(with_linux(
          R"("devices": [{"type": "c", "path": "/dev/x", "major": 4294967297, "minor": 1}])")),
      "config.json: .linux.devices[0].major: 4294967297 is out of range (0 to 4294967295)");
  EXPECT_EQ(error_of(with_linux(
                R"("devices": [{"type": "b", "path": "/dev/x", "major": 1, "minor": -1}])")),
            "config.json: .linux.devices[0].minor: -1 is out of range (0 to 4294967295)");
  EXPECT_EQ(
      error_of(with_linux(R"("resources": {"devices": [{"allow": true, "major": 4294967296}]})")),
      "config.json: .linux.resources.devices[0].major: 4294967296 is out of range "
      "(-9223372036854775808 to 4294967295)");
  EXPECT_EQ(
      error_of(with_linux(
          R"("resources": {"devices": [{"allow": true, "major": -1, "minor": 4294967295}]})")),
      "ok");
}

TEST(OciConfig, NamespaceNames) {
  EXPECT_EQ(namespace_name(NamespaceType::kPid), "pid");
  EXPECT_EQ(namespace_name(NamespaceType::kNetwork), "network");
  EXPECT_EQ(namespace_name(NamespaceType::kTime), "time");
}

class LoadConfig : public ::testing::Test {
 protected:
  TempDir bundle_;
};

TEST_F(LoadConfig, ReadsConfigJsonOfTheBundle) {
  bundle_.write("config.json", doc(R"("hostname": "from-file")"));
  Result<Config> c = load_config(bundle_.path());
  ASSERT_TRUE(c.ok()) << c.error().text();
  EXPECT_EQ(c->hostname, "from-file");
}

TEST_F(LoadConfig, MissingFileNamesIt) {
  Result<Config> c = load_config(bundle_.path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(),
            "config.json: open " + bundle_.path() + "/config.json: No such file or directory");
}

// A FIFO would block the read forever; /dev/zero would be read until memory runs out.
TEST_F(LoadConfig, OnlyARegularFileIsRead) {
  std::string path = bundle_.path() + "/config.json";
  ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
  Result<Config> c = load_config(bundle_.path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "config.json: " + path + ": not a regular file (a fifo)");
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink("/dev/zero", path.c_str()), 0);
  c = load_config(bundle_.path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "config.json: " + path + ": not a regular file (a character device)");
}

TEST_F(LoadConfig, ALargeFileIsRefused) {
  std::string path = bundle_.path() + "/config.json";
  bundle_.write("config.json", doc(R"("hostname": "big")"));
  ASSERT_EQ(::truncate(path.c_str(), static_cast<off_t>(kMaxFileSize) + 1), 0);
  Result<Config> c = load_config(bundle_.path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "config.json: " + path + ": larger than 16 MiB");
}

// procfs reports a size of 0: the limit holds while reading too.
TEST(ReadFile, TheLimitHoldsForFilesWithoutASize) {
  Result<std::string> text = read_file("/proc/self/maps", 16);
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.error().text(), "/proc/self/maps: larger than 16 bytes");
  EXPECT_TRUE(read_file("/proc/self/stat").ok());
}

TEST_F(LoadConfig, ParseErrorsKeepTheirPath) {
  bundle_.write("config.json", doc(R"("hostname": 1)"));
  Result<Config> c = load_config(bundle_.path());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().text(), "config.json: .hostname: expected a string, got 1");
}

}  // namespace
}  // namespace husk::oci
