#include "mount_plan.h"

#include <gtest/gtest.h>
#include <linux/mount.h>
#include <sys/mount.h>

#include "idmap.h"
#include "test_config.h"

namespace husk::rootfs {
namespace {

using testing::mount_of;
using testing::runc_spec_mounts;

// The mounts `runc spec` writes.
oci::Config runc_spec_config() {
  oci::Config c;
  c.root.path = "rootfs";
  c.mounts = runc_spec_mounts();

  c.linux_config.emplace();
  return c;
}

Options bundle_options() {
  Options o;
  o.bundle_dir = "/run/bundle";
  o.net_ns = true;
  return o;
}

std::string plan_error(const oci::Config& config, const Options& options = bundle_options()) {
  auto plan = plan_rootfs(config, options);
  EXPECT_FALSE(plan.ok());
  return plan.ok() ? "" : plan.error().text();
}

TEST(MountPlan, RuncSpecMountsInOrder) {
  auto plan = plan_rootfs(runc_spec_config(), bundle_options());
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_EQ(plan->rootfs, "/run/bundle/rootfs");
  EXPECT_EQ(plan->root_propagation, MS_SLAVE | MS_REC);
  ASSERT_EQ(plan->mounts.size(), 7u);
  std::vector<std::string> order;
  for (const auto& m : plan->mounts) order.push_back(m.label() + " " + m.type);
  EXPECT_EQ(order, (std::vector<std::string>{
                       "mounts[0] /proc proc", "mounts[1] /dev tmpfs", "mounts[2] /dev/pts devpts",
                       "mounts[3] /dev/shm tmpfs", "mounts[4] /dev/mqueue mqueue",
                       "mounts[5] /sys sysfs", "mounts[6] /sys/fs/cgroup cgroup"}));
  EXPECT_EQ(plan->mounts[1].kind, MountKind::kFilesystem);
  EXPECT_EQ(plan->mounts[1].options.flags, MS_NOSUID | MS_STRICTATIME);
  EXPECT_EQ(plan->mounts[1].options.data_string(), "mode=755,size=65536k");
  EXPECT_EQ(plan->mounts[2].options.data_string(), "newinstance,ptmxmode=0666,mode=0620,gid=5");
  EXPECT_EQ(plan->mounts[5].kind, MountKind::kFilesystem);
  EXPECT_EQ(plan->mounts[5].options.flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
  EXPECT_EQ(plan->mounts[6].kind, MountKind::kCgroup);

  EXPECT_TRUE(plan->setup_dev);
  EXPECT_FALSE(plan->bind_devices);
  std::vector<std::string> devices;
  for (const auto& d : plan->devices) devices.push_back(d.path);
  EXPECT_EQ(devices, (std::vector<std::string>{"/dev/null", "/dev/zero", "/dev/full", "/dev/random",
                                               "/dev/urandom", "/dev/tty"}));
  ASSERT_EQ(plan->dev_links.size(), 5u);
  EXPECT_EQ(plan->dev_links[0].path, "/dev/fd");
  EXPECT_EQ(plan->dev_links[0].target, "/proc/self/fd");
  EXPECT_EQ(plan->dev_links[4].path, "/dev/ptmx");
  EXPECT_EQ(plan->dev_links[4].target, "pts/ptmx");
}

TEST(MountPlan, SysfsWithoutNetworkNamespaceIsBound) {
  Options o = bundle_options();
  o.net_ns = false;
  o.user_ns = true;
  auto plan = plan_rootfs(runc_spec_config(), o);
  ASSERT_TRUE(plan.ok());
  const MountStep& sys = plan->mounts[5];
  EXPECT_EQ(sys.kind, MountKind::kSysfsBind);
  EXPECT_EQ(sys.source, "/sys");
  EXPECT_EQ(sys.options.flags, MS_BIND | MS_REC | MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
  EXPECT_EQ(sys.options.rec_attr_set,
            MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODEV);
  EXPECT_TRUE(plan->bind_devices);
}

TEST(MountPlan, BindSourcesAndOverlayDirsFromTheBundle) {
  oci::Config c = runc_spec_config();
  c.root.path = "/abs/root/";
  c.mounts = {mount_of("/data", "bind", "data", {"rbind", "ro"}),
              mount_of("/abs", "none", "/srv/x", {"bind"}),
              mount_of("/", "overlay", "overlay",
                       {"lowerdir=layers/1:/img/2", "upperdir=upper", "workdir=/w"})};
  auto plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_EQ(plan->rootfs, "/abs/root");
  EXPECT_EQ(plan->mounts[0].kind, MountKind::kBind);
  EXPECT_EQ(plan->mounts[0].source, "/run/bundle/data");
  EXPECT_TRUE(plan->mounts[0].options.recursive());
  EXPECT_EQ(plan->mounts[1].kind, MountKind::kBind);
  EXPECT_EQ(plan->mounts[1].type, "bind");
  EXPECT_EQ(plan->mounts[1].source, "/srv/x");
  EXPECT_EQ(plan->mounts[2].options.data_string(),
            "lowerdir=/run/bundle/layers/1:/img/2,upperdir=/run/bundle/upper,workdir=/w");
}

TEST(MountPlan, DestinationsAreCleaned) {
  oci::Config c = runc_spec_config();
  c.mounts = {mount_of("../../../etc", "tmpfs", "tmpfs", {}),
              mount_of("/a/./b//../c/", "tmpfs", "tmpfs", {})};
  auto plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->mounts[0].destination, "/etc");
  EXPECT_EQ(plan->mounts[1].destination, "/a/c");
}

TEST(MountPlan, DevicesReplaceDefaultsAndBindDevSkipsThem) {
  oci::Config c = runc_spec_config();
  oci::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  oci::Device null_again = default_devices()[0];
  null_again.file_mode = 0600;
  c.linux_config->devices = {fuse, null_again};
  auto plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok());
  ASSERT_EQ(plan->devices.size(), 7u);
  EXPECT_EQ(plan->devices[5].path, "/dev/fuse");
  EXPECT_EQ(plan->devices[6].path, "/dev/null");
  EXPECT_EQ(plan->devices[6].file_mode, 0600u);

  c.mounts.push_back(mount_of("/dev", "bind", "/dev", {"rbind"}));
  plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok());
  EXPECT_FALSE(plan->setup_dev);
  EXPECT_TRUE(plan->devices.empty());
  EXPECT_TRUE(plan->dev_links.empty());
}

TEST(MountPlan, RootfsPropagation) {
  oci::Config c = runc_spec_config();
  c.linux_config->rootfs_propagation = "private";
  auto plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->root_propagation, static_cast<unsigned long>(MS_PRIVATE));
  c.linux_config->rootfs_propagation = "sharde";
  EXPECT_EQ(plan_error(c), "linux.rootfsPropagation: unknown propagation \"sharde\"");
}

TEST(MountPlan, IdmapMappings) {
  oci::Config c = runc_spec_config();
  oci::Mount m = mount_of("/data", "bind", "/srv", {"rbind", "ridmap"});
  m.uid_mappings = {{0, 1000, 1}};
  m.gid_mappings = {{0, 1000, 1}};
  c.mounts = {m};
  auto plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_TRUE(plan->mounts[0].options.idmap_recursive);
  EXPECT_EQ(id_map_text(plan->mounts[0].uid_mappings), "0 1000 1\n");

  // No mappings on the mount: the container's.
  c.mounts = {mount_of("/data", "bind", "/srv", {"bind", "idmap"})};
  c.linux_config->uid_mappings = {{0, 100000, 65536}};
  c.linux_config->gid_mappings = {{0, 100000, 65536}, {70000, 5, 1}};
  plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(id_map_text(plan->mounts[0].gid_mappings), "0 100000 65536\n70000 5 1\n");
  c.linux_config->uid_mappings.clear();
  EXPECT_EQ(plan_error(c), "mounts[0] /data: an idmapped mount needs uidMappings and gidMappings");

  m = mount_of("/t", "tmpfs", "tmpfs", {});
  m.uid_mappings = {{0, 1000, 1}};
  c.mounts = {m};
  EXPECT_EQ(plan_error(c), "mounts[0] /t: uidMappings/gidMappings need a bind mount");
}

TEST(MountPlan, Errors) {
  oci::Config c = runc_spec_config();
  c.root.path = "";
  EXPECT_EQ(plan_error(c), "root.path is empty");
  c = runc_spec_config();
  c.mounts = {mount_of("/x", "tmpfs", "tmpfs", {"rro"})};
  EXPECT_EQ(plan_error(c),
            "mounts[0] /x: recursive options (rro, rnosuid, ...) need \"bind\" or \"rbind\"");
  c.mounts = {mount_of("/x", "bind", "/srv", {"bind", "tmpcopyup"})};
  EXPECT_EQ(plan_error(c), "mounts[0] /x: option \"tmpcopyup\" needs a tmpfs");
  c.mounts = {mount_of("", "tmpfs", "tmpfs", {})};
  EXPECT_EQ(plan_error(c), "mounts[0]: no destination");
  c.mounts = {mount_of("/x", "", "", {})};
  EXPECT_EQ(plan_error(c), "mounts[0] /x: no type");
  c.mounts = {mount_of("/x", "bind", "", {"rbind"})};
  EXPECT_EQ(plan_error(c), "mounts[0] /x: a bind mount needs a source");
  c.mounts = {mount_of("/proc/sys", "tmpfs", "tmpfs", {})};
  EXPECT_EQ(plan_error(c),
            "mounts[0] /proc/sys: only proc or a bind from procfs may be mounted on /proc");
  c.mounts = {mount_of("/proc/../proc", "tmpfs", "tmpfs", {})};
  EXPECT_EQ(plan_error(c),
            "mounts[0] /proc: only proc or a bind from procfs may be mounted on /proc");
}

// A remount changes a superblock only where this config made the filesystem.
TEST(MountPlan, RemountOfTheContainersOwnFilesystemOnly) {
  oci::Config c = runc_spec_config();
  c.mounts = {mount_of("/t", "tmpfs", "tmpfs", {"mode=755"}),
              mount_of("/t", "tmpfs", "tmpfs", {"remount", "ro", "size=1m"}),
              mount_of("/", "tmpfs", "tmpfs", {"remount", "ro"}),
              mount_of("/b", "bind", "/srv", {"rbind"}),
              mount_of("/b", "tmpfs", "tmpfs", {"remount", "nosuid"}),
              mount_of("/c", "bind", "/srv", {"bind", "remount", "ro"})};
  auto plan = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_EQ(plan->mounts[1].kind, MountKind::kRemountFilesystem);
  EXPECT_EQ(plan->mounts[2].kind, MountKind::kRemountMount);
  EXPECT_EQ(plan->mounts[4].kind, MountKind::kRemountMount);
  EXPECT_EQ(plan->mounts[5].kind, MountKind::kBind);  // a new bind, read-only as it is made

  c.mounts = {mount_of("/", "tmpfs", "tmpfs", {"remount", "ro", "size=1m"})};
  EXPECT_EQ(plan_error(c),
            "mounts[0] /: remount: only a filesystem an earlier mounts[] entry made here (tmpfs, "
            "ramfs, proc, devpts, overlay) can take filesystem options; anything else can change "
            "only ro, nosuid, nodev, noexec, the atime flags and nosymfollow");
  // mqueue's superblock is the IPC namespace's, sysfs's the network namespace's: without new
  // ones, the host's. Only the container's mount of them changes.
  c.mounts = {mount_of("/dev/mqueue", "mqueue", "mqueue", {}),
              mount_of("/dev/mqueue", "mqueue", "mqueue", {"remount", "ro"}),
              mount_of("/sys", "sysfs", "sysfs", {}),
              mount_of("/sys", "sysfs", "sysfs", {"remount", "ro"})};
  auto shared = plan_rootfs(c, bundle_options());
  ASSERT_TRUE(shared.ok()) << shared.error().text();
  EXPECT_EQ(shared->mounts[1].kind, MountKind::kRemountMount);
  EXPECT_EQ(shared->mounts[3].kind, MountKind::kRemountMount);
  c.mounts = {mount_of("/t", "tmpfs", "tmpfs", {}), mount_of("/t", "bind", "/srv", {"rbind"}),
              mount_of("/t", "tmpfs", "tmpfs", {"remount", "mode=700"})};
  EXPECT_TRUE(plan_error(c).starts_with("mounts[2] /t: remount: only a filesystem"));
}

TEST(MountPlan, AllowedProcDestinations) {
  EXPECT_TRUE(is_allowed_proc_destination("/proc/meminfo"));
  EXPECT_TRUE(is_allowed_proc_destination("/proc/sys/kernel/ns_last_pid"));
  EXPECT_FALSE(is_allowed_proc_destination("/proc/sys"));
  EXPECT_FALSE(is_allowed_proc_destination("/proc/self/attr"));
}

}  // namespace
}  // namespace husk::rootfs
