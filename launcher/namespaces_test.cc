#include "namespaces.h"

#include <gtest/gtest.h>
#include <sched.h>

namespace husk::launch {
namespace {

using oci::NamespaceType;

oci::Config with_namespaces(std::vector<oci::Namespace> namespaces) {
  oci::Config config;
  config.linux_config.emplace();
  config.linux_config->namespaces = std::move(namespaces);
  return config;
}

TEST(Namespaces, AllNewAtClone) {
  auto plan = plan_namespaces(with_namespaces({{NamespaceType::kPid, {}},
                                               {NamespaceType::kMount, {}},
                                               {NamespaceType::kNetwork, {}},
                                               {NamespaceType::kCgroup, {}}}));
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_EQ(plan->clone_flags, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET);
  EXPECT_TRUE(plan->new_cgroup);
  EXPECT_FALSE(plan->fork_child);
  EXPECT_EQ(plan->unshare_flags, 0);
}

TEST(Namespaces, JoinMakesTheChildUnshareAndFork) {
  auto plan = plan_namespaces(with_namespaces({{NamespaceType::kPid, "/proc/1/ns/pid"},
                                               {NamespaceType::kUser, "/proc/1/ns/user"},
                                               {NamespaceType::kMount, {}},
                                               {NamespaceType::kNetwork, "/proc/1/ns/net"}}));
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_EQ(plan->clone_flags, 0);
  EXPECT_EQ(plan->unshare_flags, CLONE_NEWNS);
  EXPECT_TRUE(plan->fork_child);
  ASSERT_EQ(plan->joins.size(), 3u);
  EXPECT_EQ(plan->joins[0].type, NamespaceType::kPid);
  EXPECT_EQ(plan->joins[1].type, NamespaceType::kNetwork);
  EXPECT_EQ(plan->joins[2].type, NamespaceType::kUser);  // the user namespace last
}

TEST(Namespaces, NewTimeNamespaceForks) {
  auto config = with_namespaces({{NamespaceType::kPid, {}}, {NamespaceType::kTime, {}}});
  config.linux_config->time_offsets["monotonic"] = {86400, 5};
  auto plan = plan_namespaces(config);
  ASSERT_TRUE(plan.ok()) << plan.error().text();
  EXPECT_EQ(plan->clone_flags, 0);
  EXPECT_EQ(plan->unshare_for_children, CLONE_NEWPID | CLONE_NEWTIME);
  EXPECT_TRUE(plan->fork_child);
  EXPECT_EQ(time_offsets_text(config.linux_config->time_offsets), "monotonic 86400 5\n");
}

TEST(Namespaces, Errors) {
  EXPECT_EQ(plan_namespaces(with_namespaces({{NamespaceType::kPid, {}}, {NamespaceType::kPid, {}}}))
                .error()
                .text(),
            "linux.namespaces: pid is listed twice");
  auto config = with_namespaces({{NamespaceType::kMount, {}}});
  config.hostname = "h";
  EXPECT_EQ(plan_namespaces(config).error().text(),
            "hostname: setting the hostname needs a uts namespace");
  config = with_namespaces({{NamespaceType::kMount, {}}});
  config.linux_config->uid_mappings = {{0, 1000, 1}};
  EXPECT_EQ(plan_namespaces(config).error().text(),
            "linux.uidMappings: id mappings need a new user namespace");
  config = with_namespaces({{NamespaceType::kUser, {}}});
  EXPECT_EQ(plan_namespaces(config).error().text(),
            "linux.namespaces: a new user namespace needs linux.uidMappings and gidMappings");
  config = with_namespaces({});
  config.linux_config->time_offsets["boottime"] = {1, 0};
  EXPECT_EQ(plan_namespaces(config).error().text(),
            "linux.timeOffsets: time offsets need a new time namespace");
}

TEST(Namespaces, IdMapText) {
  EXPECT_EQ(id_map_text({{0, 100000, 65536}, {65536, 5, 1}}), "0 100000 65536\n65536 5 1\n");
}

TEST(Namespaces, OpenJoinsChecksTheType) {
  auto wrong = open_joins({{NamespaceType::kPid, "/proc/self/ns/net"}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().text(),
            "linux.namespaces: pid /proc/self/ns/net: a net namespace, not a pid one");
  auto not_ns = open_joins({{NamespaceType::kNetwork, "/etc/hostname"}});
  ASSERT_FALSE(not_ns.ok());
  EXPECT_EQ(not_ns.error().text(), "linux.namespaces: network /etc/hostname: not a namespace");
  auto missing = open_joins({{NamespaceType::kNetwork, "/nonexistent"}});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().text(),
            "linux.namespaces: network /nonexistent: No such file or directory");
  auto good = open_joins({{NamespaceType::kNetwork, "/proc/self/ns/net"}});
  ASSERT_TRUE(good.ok()) << good.error().text();
  EXPECT_EQ((*good)[0].flag, CLONE_NEWNET);
}

}  // namespace
}  // namespace husk::launch
