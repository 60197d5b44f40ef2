#include "sysctl.h"

#include <gtest/gtest.h>

namespace husk::process {
namespace {

using oci::NamespaceType;

TEST(Sysctl, NamespaceOfAKey) {
  EXPECT_EQ(sysctl_namespace("kernel.msgmax").value(), NamespaceType::kIpc);
  EXPECT_EQ(sysctl_namespace("kernel.sem").value(), NamespaceType::kIpc);
  EXPECT_EQ(sysctl_namespace("kernel.shm_rmid_forced").value(), NamespaceType::kIpc);
  EXPECT_EQ(sysctl_namespace("fs.mqueue.queues_max").value(), NamespaceType::kIpc);
  EXPECT_EQ(sysctl_namespace("net.ipv4.ip_forward").value(), NamespaceType::kNetwork);
  EXPECT_EQ(sysctl_namespace("net/ipv4/conf/eth0.1/forwarding").value(), NamespaceType::kNetwork);
  EXPECT_EQ(sysctl_namespace("kernel.hostname").value(), NamespaceType::kUts);
  EXPECT_EQ(sysctl_namespace("kernel.domainname").value(), NamespaceType::kUts);
  EXPECT_EQ(sysctl_namespace("vm.swappiness").error().text(),
            ".linux.sysctl[\"vm.swappiness\"]: not a namespaced sysctl (only "
            "kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.*, net.*, kernel.hostname and "
            "kernel.domainname)");
  EXPECT_FALSE(sysctl_namespace("kernel.semaphores").ok());
  EXPECT_FALSE(sysctl_namespace("fs.mqueue").ok());
}

TEST(Sysctl, NeedsTheNamespace) {
  std::vector<oci::Namespace> namespaces = {{NamespaceType::kIpc, std::nullopt},
                                            {NamespaceType::kNetwork, "/proc/1/ns/net"}};
  auto prepared =
      prepare_sysctls({{"kernel.shmmax", "1000000"}, {"net.ipv4.ip_forward", "1"}}, namespaces);
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();
  ASSERT_EQ(prepared->size(), 2U);
  EXPECT_EQ((*prepared)[0].path, "/proc/sys/kernel/shmmax");
  EXPECT_EQ((*prepared)[0].value, "1000000");
  EXPECT_EQ((*prepared)[1].path, "/proc/sys/net/ipv4/ip_forward");

  EXPECT_EQ(prepare_sysctls({{"kernel.hostname", "x"}}, namespaces).error().text(),
            ".linux.sysctl[\"kernel.hostname\"]: needs a uts namespace in "
            ".linux.namespaces");
  EXPECT_EQ(prepare_sysctls({{"net.core.somaxconn", "1"}}, {}).error().text(),
            ".linux.sysctl[\"net.core.somaxconn\"]: needs a network namespace in "
            ".linux.namespaces");
}

TEST(Sysctl, SlashedKeysKeepTheirDots) {
  auto prepared = prepare_sysctls({{"net/ipv4/conf/eth0.1/forwarding", "1"}},
                                  {{NamespaceType::kNetwork, std::nullopt}});
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();
  EXPECT_EQ((*prepared)[0].path, "/proc/sys/net/ipv4/conf/eth0.1/forwarding");
}

TEST(Sysctl, NoPathTricks) {
  std::vector<oci::Namespace> net = {{NamespaceType::kNetwork, std::nullopt}};
  EXPECT_EQ(prepare_sysctls({{"net/../../../etc/passwd", "x"}}, net).error().text(),
            ".linux.sysctl[\"net/../../../etc/passwd\"]: not a sysctl name");
  EXPECT_FALSE(prepare_sysctls({{"net..ipv4", "x"}}, net).ok());
  EXPECT_FALSE(prepare_sysctls({{"net.ipv4.", "x"}}, net).ok());
  EXPECT_FALSE(prepare_sysctls({{"net//ipv4", "x"}}, net).ok());
}

}  // namespace
}  // namespace husk::process
