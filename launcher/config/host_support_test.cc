#include "host_support.h"

#include <gtest/gtest.h>

#include "test_util.h"

namespace husk::oci {
namespace {

// A fake host root: an empty folder that tests fill with the files a feature shows.
class HostSupport : public ::testing::Test {
 protected:
  void SetUp() override {
    // /proc/self/ns names the network and mount namespaces "net" and "mnt".
    for (const char* ns : {"pid", "net", "mnt", "ipc", "uts", "user", "cgroup"}) {
      add("/proc/self/ns/" + std::string(ns));
    }
  }

  void add(const std::string& path, const std::string& text = "") { root_.write(path, text); }
  std::string check(const Config& config) {
    Status status = check_host_support(config, root_.path());
    return status.ok() ? "ok" : status.error().text();
  }

  static Config with_namespaces(std::initializer_list<NamespaceType> types) {
    Config config;
    config.linux_config.emplace();
    for (NamespaceType type : types) config.linux_config->namespaces.push_back({type, {}});
    return config;
  }

  testing::TempDir root_;
};

TEST_F(HostSupport, PlainConfigNeedsNothing) { EXPECT_EQ(check(Config{}), "ok"); }

TEST_F(HostSupport, AppArmor) {
  Config config;
  config.process.emplace();
  config.process->apparmor_profile = "";  // empty: no profile asked for
  EXPECT_EQ(check(config), "ok");
  config.process->apparmor_profile = "docker-default";
  EXPECT_EQ(check(config),
            "config.json: .process.apparmorProfile: AppArmor is not enabled on this host");
  add("/sys/kernel/security/apparmor/profiles");
  add("/sys/module/apparmor/parameters/enabled", "N\n");
  EXPECT_EQ(check(config),
            "config.json: .process.apparmorProfile: AppArmor is not enabled on this host");
  add("/sys/module/apparmor/parameters/enabled", "Y\n");
  EXPECT_EQ(check(config), "ok");
}

TEST_F(HostSupport, SELinux) {
  Config config;
  config.process.emplace();
  config.process->selinux_label = "system_u:system_r:container_t:s0";
  EXPECT_EQ(check(config),
            "config.json: .process.selinuxLabel: SELinux is not enabled on this host");
  config.process->selinux_label.reset();
  config.linux_config.emplace();
  config.linux_config->mount_label = "system_u:object_r:container_file_t:s0";
  EXPECT_EQ(check(config), "config.json: .linux.mountLabel: SELinux is not enabled on this host");
  add("/sys/fs/selinux/enforce", "1");
  EXPECT_EQ(check(config), "ok");
}

TEST_F(HostSupport, Namespaces) {
  EXPECT_EQ(check(with_namespaces({NamespaceType::kPid, NamespaceType::kUser})), "ok");
  EXPECT_EQ(check(with_namespaces({NamespaceType::kPid, NamespaceType::kTime})),
            "config.json: .linux.namespaces[1].type: time namespaces are not supported by this "
            "kernel (no /proc/self/ns/time)");
  add("/proc/self/ns/time");
  EXPECT_EQ(check(with_namespaces({NamespaceType::kTime})), "ok");
}

TEST_F(HostSupport, NetworkAndMountNamespacesUseTheKernelsNames) {
  EXPECT_EQ(check(with_namespaces({NamespaceType::kNetwork, NamespaceType::kMount})), "ok");
}

TEST_F(HostSupport, UserNamespacesTurnedOff) {
  add("/proc/sys/user/max_user_namespaces", "0\n");
  EXPECT_EQ(check(with_namespaces({NamespaceType::kUser})),
            "config.json: .linux.namespaces[0].type: user namespaces are disabled on this host "
            "(user.max_user_namespaces is 0)");
}

TEST_F(HostSupport, TimeOffsetsNeedTimeNamespaces) {
  Config config = with_namespaces({});
  config.linux_config->time_offsets["monotonic"] = TimeOffset{10, 0};
  EXPECT_EQ(check(config),
            "config.json: .linux.timeOffsets: time namespaces are not supported by this kernel "
            "(no /proc/self/ns/time)");
}

TEST_F(HostSupport, Seccomp) {
  Config config = with_namespaces({});
  config.linux_config->seccomp.emplace();
  add("/proc/self/status", "Name:\tx\nNoNewPrivs:\t0\n");
  EXPECT_EQ(check(config), "config.json: .linux.seccomp: this kernel has no seccomp");
  add("/proc/self/status", "Name:\tx\nSeccomp:\t0\n");
  EXPECT_EQ(check(config), "ok");
}

TEST_F(HostSupport, IntelRdt) {
  Config config = with_namespaces({});
  config.linux_config->intel_rdt.emplace();
  config.linux_config->intel_rdt->mem_bw_schema = "MB:0=20";
  EXPECT_EQ(check(config),
            "config.json: .linux.intelRdt: resctrl is not mounted on this host (no "
            "/sys/fs/resctrl/info)");
  add("/sys/fs/resctrl/info/L3/cbm_mask", "7ff");
  EXPECT_EQ(check(config),
            "config.json: .linux.intelRdt.memBwSchema: this host has no memory bandwidth "
            "allocation (no /sys/fs/resctrl/info/MB)");
  add("/sys/fs/resctrl/info/MB/min_bandwidth", "10");
  EXPECT_EQ(check(config), "ok");
  config.linux_config->intel_rdt->enable_monitoring = true;
  EXPECT_EQ(check(config),
            "config.json: .linux.intelRdt.enableMonitoring: this host has no resctrl monitoring "
            "(no /sys/fs/resctrl/info/L3_MON)");
}

TEST(HostSupportOnThisHost, RuncSpecNeedsNothingSpecial) {
  Config config;
  config.process.emplace();
  config.linux_config = Linux{};
  for (auto type : {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kIpc,
                    NamespaceType::kUts, NamespaceType::kMount}) {
    config.linux_config->namespaces.push_back({type, {}});
  }
  Status status = check_host_support(config);
  EXPECT_TRUE(status.ok()) << status.error().text();
}

}  // namespace
}  // namespace husk::oci
