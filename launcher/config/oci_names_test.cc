#include "oci_names.h"

#include <gtest/gtest.h>
#include <linux/capability.h>
#include <sys/resource.h>

namespace husk::oci {
namespace {

TEST(OciNames, NamespaceTypesRoundTrip) {
  for (auto type :
       {NamespaceType::kPid, NamespaceType::kNetwork, NamespaceType::kMount, NamespaceType::kIpc,
        NamespaceType::kUts, NamespaceType::kUser, NamespaceType::kCgroup, NamespaceType::kTime}) {
    EXPECT_EQ(namespace_type(namespace_name(type)), type);
  }
  EXPECT_FALSE(namespace_type("net"));
  EXPECT_FALSE(namespace_type(""));
}

TEST(OciNames, CapabilitiesHaveTheKernelNumbers) {
  EXPECT_EQ(capability_number("CAP_CHOWN"), CAP_CHOWN);
  EXPECT_EQ(capability_number("CAP_NET_BIND_SERVICE"), CAP_NET_BIND_SERVICE);
  EXPECT_EQ(capability_number("CAP_SYS_ADMIN"), CAP_SYS_ADMIN);
  EXPECT_EQ(capability_number("CAP_AUDIT_READ"), CAP_AUDIT_READ);
  EXPECT_EQ(capability_number("CAP_CHECKPOINT_RESTORE"), kLastCapability);
  EXPECT_EQ(kLastCapability, CAP_LAST_CAP);
  EXPECT_FALSE(capability_number("CAP_FOO"));
  EXPECT_FALSE(capability_number("cap_chown"));
}

TEST(OciNames, Rlimits) {
  EXPECT_EQ(rlimit_resource("RLIMIT_NOFILE"), RLIMIT_NOFILE);
  EXPECT_EQ(rlimit_resource("RLIMIT_RTTIME"), RLIMIT_RTTIME);
  EXPECT_FALSE(rlimit_resource("RLIMIT_NLIMITS"));
}

TEST(OciNames, Vocabularies) {
  EXPECT_TRUE(is_seccomp_action("SCMP_ACT_KILL_PROCESS"));
  EXPECT_FALSE(is_seccomp_action("SCMP_ACT_DENY"));
  EXPECT_TRUE(is_seccomp_arch("SCMP_ARCH_RISCV64"));
  EXPECT_TRUE(is_seccomp_flag("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  EXPECT_TRUE(is_seccomp_operator("SCMP_CMP_MASKED_EQ"));
  EXPECT_TRUE(is_sched_policy("SCHED_BATCH"));
  EXPECT_TRUE(is_sched_flag("SCHED_FLAG_UTIL_CLAMP_MAX"));
  EXPECT_TRUE(is_ioprio_class("IOPRIO_CLASS_IDLE"));
  EXPECT_TRUE(is_rootfs_propagation(""));
  EXPECT_TRUE(is_rootfs_propagation("runbindable"));
  EXPECT_FALSE(is_rootfs_propagation("recursive"));
  EXPECT_TRUE(is_personality_domain("LINUX32"));
}

}  // namespace
}  // namespace husk::oci
