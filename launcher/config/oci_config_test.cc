#include "oci_config.h"

#include <gtest/gtest.h>

namespace husk::oci {
namespace {

TEST(OciConfig, Minimal) {
  auto config = parse_config(R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"}})");
  ASSERT_TRUE(config.ok()) << config.error().text();
  EXPECT_EQ(config->oci_version, "1.2.0");
}

}  // namespace
}  // namespace husk::oci
