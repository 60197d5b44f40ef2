#include "default_spec.h"

#include <gtest/gtest.h>

#include "oci_config.h"
#include "test_util.h"

namespace husk::oci {
namespace {

using testing::read_corpus;

void replace(std::string& text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
}

// `runc spec` as runc 1.1 wrote it (as root), with our version and hostname.
std::string runc_spec(const std::string& file) {
  std::string text = read_corpus(file);
  replace(text, R"("ociVersion": "1.0.2-dev")", R"("ociVersion": "1.2.0")");
  replace(text, R"("hostname": "runc")", R"("hostname": "husk")");
  return text + "\n";
}

TEST(DefaultSpec, SameAsRuncSpec) {
  EXPECT_EQ(default_spec(false, 1000, 1000), runc_spec("runc-spec.json"));
}

TEST(DefaultSpec, RootlessSameAsRuncSpecRootless) {
  EXPECT_EQ(default_spec(true, 0, 0), runc_spec("runc-spec-rootless.json"));
}

TEST(DefaultSpec, Parses) {
  Result<Config> config = parse_config(default_spec(false, 1000, 1000));
  ASSERT_TRUE(config.ok()) << config.error().text();
  EXPECT_EQ(config->linux_config->namespaces.size(), 5u);
  EXPECT_TRUE(config->linux_config->uid_mappings.empty());
  ASSERT_TRUE(config->linux_config->resources);
  EXPECT_EQ(config->linux_config->resources->devices.size(), 1u);
}

TEST(DefaultSpec, RootlessMapsRootToTheCaller) {
  Result<Config> config = parse_config(default_spec(true, 1234, 5678));
  ASSERT_TRUE(config.ok()) << config.error().text();
  const Linux& l = *config->linux_config;
  ASSERT_EQ(l.uid_mappings.size(), 1u);
  EXPECT_EQ(l.uid_mappings[0].container_id, 0u);
  EXPECT_EQ(l.uid_mappings[0].host_id, 1234u);
  EXPECT_EQ(l.uid_mappings[0].size, 1u);
  ASSERT_EQ(l.gid_mappings.size(), 1u);
  EXPECT_EQ(l.gid_mappings[0].host_id, 5678u);
  EXPECT_EQ(l.namespaces.back().type, NamespaceType::kUser);
  EXPECT_FALSE(l.resources);
  for (const Namespace& ns : l.namespaces) EXPECT_NE(ns.type, NamespaceType::kNetwork);
}

}  // namespace
}  // namespace husk::oci
