#include "capabilities.h"

#include <gtest/gtest.h>

namespace husk::process {
namespace {

TEST(Capabilities, NamesAndNumbers) {
  EXPECT_EQ(capability_from_name("CAP_CHOWN"), 0);
  EXPECT_EQ(capability_from_name("CAP_SYS_ADMIN"), 21);
  EXPECT_EQ(capability_from_name("CAP_CHECKPOINT_RESTORE"), 40);
  EXPECT_EQ(capability_from_name("cap_sys_admin"), std::nullopt);  // the spec's spelling only
  EXPECT_EQ(capability_from_name("SYS_ADMIN"), std::nullopt);
  EXPECT_EQ(capability_from_name("CAP_12"), std::nullopt);
  EXPECT_EQ(capability_from_name("12"), std::nullopt);
  EXPECT_EQ(capability_from_name("CAP_FOO"), std::nullopt);
  EXPECT_EQ(capability_name(0), "CAP_CHOWN");
  EXPECT_EQ(capability_name(21), "CAP_SYS_ADMIN");
  EXPECT_EQ(capability_name(63), "63");
}

TEST(Capabilities, LastCapabilityIsTheKernels) {
  auto last = last_capability();
  ASSERT_TRUE(last.ok());
  EXPECT_GE(*last, 40);
  EXPECT_LT(*last, 64);
}

TEST(Capabilities, SetsBecomeBitmasks) {
  oci::Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.permitted = {"CAP_CHOWN", "CAP_NET_BIND_SERVICE"};
  caps.effective = {"CAP_CHOWN"};
  caps.inheritable = {"CAP_NET_BIND_SERVICE"};
  caps.ambient = {"CAP_NET_BIND_SERVICE"};
  auto sets = prepare_capabilities(caps, 40);
  ASSERT_TRUE(sets.ok()) << sets.error().text();
  EXPECT_EQ(sets->bounding, (1ULL << 0) | (1ULL << 5) | (1ULL << 10));
  EXPECT_EQ(sets->permitted, (1ULL << 0) | (1ULL << 10));
  EXPECT_EQ(sets->effective, 1ULL << 0);
  EXPECT_EQ(sets->inheritable, 1ULL << 10);
  EXPECT_EQ(sets->ambient, 1ULL << 10);
  EXPECT_EQ(sets->last_cap, 40);
}

TEST(Capabilities, InheritableStaysEmptyUnlessAsked) {
  oci::Capabilities caps;
  caps.bounding = caps.permitted = caps.effective = {"CAP_CHOWN"};
  auto sets = prepare_capabilities(caps, 40);
  ASSERT_TRUE(sets.ok());
  EXPECT_EQ(sets->inheritable, 0U);
  EXPECT_EQ(sets->ambient, 0U);
}

TEST(Capabilities, Errors) {
  oci::Capabilities caps;
  caps.bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_FOO"};
  EXPECT_EQ(prepare_capabilities(caps, 40).error().text(),
            ".process.capabilities.bounding[2]: unknown capability \"CAP_FOO\"");

  caps = {};
  caps.permitted = {"CAP_CHECKPOINT_RESTORE"};
  EXPECT_EQ(prepare_capabilities(caps, 39).error().text(),
            ".process.capabilities.permitted[0]: CAP_CHECKPOINT_RESTORE is not "
            "supported by this kernel (its last is CAP_BPF)");

  caps = {};
  caps.permitted = {"CAP_CHOWN"};
  caps.effective = {"CAP_CHOWN", "CAP_KILL"};
  EXPECT_EQ(prepare_capabilities(caps, 40).error().text(),
            ".process.capabilities.effective[1]: CAP_KILL is not in the permitted "
            "set");

  caps = {};
  caps.bounding = {"CAP_CHOWN"};
  caps.inheritable = {"CAP_CHOWN", "CAP_KILL"};
  EXPECT_EQ(prepare_capabilities(caps, 40).error().text(),
            ".process.capabilities.inheritable[1]: CAP_KILL is not in the bounding "
            "set");
}

TEST(Capabilities, AmbientOutsidePermittedAndInheritableIsLeftOut) {
  oci::Capabilities caps;  // as `runc spec` writes them: no inheritable set
  caps.bounding = {"CAP_CHOWN", "CAP_KILL"};
  caps.permitted = {"CAP_CHOWN", "CAP_KILL"};
  caps.inheritable = {"CAP_KILL"};
  caps.ambient = {"CAP_CHOWN", "CAP_KILL"};
  auto sets = prepare_capabilities(caps, 40);
  ASSERT_TRUE(sets.ok()) << sets.error().text();
  EXPECT_EQ(sets->ambient, 1ULL << 5);  // CAP_KILL only
}

}  // namespace
}  // namespace husk::process
