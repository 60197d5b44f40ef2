#include "process_setup.h"

#include <gtest/gtest.h>

#include <cerrno>

namespace husk::process {
namespace {

oci::Config config_with_process() {
  oci::Config config;
  config.process.emplace();
  config.process->args = {"/bin/true"};
  config.linux_config.emplace();
  return config;
}

TEST(PrepareProcess, Defaults) {
  auto prepared = prepare_process(oci::Config{});
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();
  EXPECT_EQ(prepared->credentials.uid, 0U);
  EXPECT_EQ(prepared->credentials.umask, 022U);
  EXPECT_FALSE(prepared->capabilities);
  EXPECT_FALSE(prepared->seccomp);
  EXPECT_FALSE(prepared->oom_score_adj);
  EXPECT_FALSE(prepared->personality);
}

TEST(PrepareProcess, CarriesEverything) {
  oci::Config config = config_with_process();
  oci::Process& process = *config.process;
  process.user = {1000, 100, 027, {10, 20}, std::nullopt};
  process.capabilities = oci::Capabilities{{"CAP_KILL"}, {"CAP_KILL"}, {}, {"CAP_KILL"}, {}};
  process.rlimits = {{"RLIMIT_NOFILE", 100, 200}};
  process.no_new_privileges = true;
  process.oom_score_adj = 100;
  process.io_priority = oci::IoPriority{"IOPRIO_CLASS_IDLE", 0};
  process.scheduler = oci::Scheduler{"SCHED_BATCH", 3, std::nullopt, {}, {}, {}, {}};
  config.linux_config->personality = oci::Personality{"LINUX32", {}};
  config.linux_config->namespaces = {{oci::NamespaceType::kUts, std::nullopt}};
  config.linux_config->sysctl = {{"kernel.domainname", "example"}};
  config.linux_config->seccomp = oci::Seccomp{};
  config.linux_config->seccomp->default_action = "SCMP_ACT_ALLOW";

  auto prepared = prepare_process(config);
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();
  EXPECT_EQ(prepared->credentials.uid, 1000U);
  EXPECT_EQ(prepared->credentials.gid, 100U);
  EXPECT_EQ(prepared->credentials.umask, 027U);
  EXPECT_EQ(prepared->credentials.additional_gids, (std::vector<gid_t>{10, 20}));
  EXPECT_EQ(prepared->capabilities->bounding, 1ULL << 5);
  EXPECT_EQ(prepared->rlimits.size(), 1U);
  EXPECT_TRUE(prepared->no_new_privileges);
  EXPECT_EQ(prepared->oom_score_adj, 100);
  EXPECT_EQ(prepared->io_priority, 3 << 13);
  EXPECT_EQ(prepared->scheduler->nice, 3);
  EXPECT_EQ(prepared->personality, 8UL);
  EXPECT_EQ(prepared->sysctls.size(), 1U);
  EXPECT_FALSE(prepared->seccomp->program.empty());
}

TEST(PrepareProcess, ErrorsNameTheJsonPath) {
  oci::Config config = config_with_process();
  config.process->rlimits = {{"RLIMIT_NOFILE", 1, 1}, {"RLIMIT_NOFILES", 1, 1}};
  EXPECT_EQ(prepare_process(config).error().text(),
            "config.json: .process.rlimits[1].type: unknown resource \"RLIMIT_NOFILES\"");

  config = config_with_process();
  config.process->capabilities = oci::Capabilities{};
  config.process->capabilities->permitted = {"CAP_SYS_ADMIN", "CAP_MAKE_COFFEE"};
  EXPECT_EQ(prepare_process(config).error().text(),
            "config.json: .process.capabilities.permitted[1]: unknown capability "
            "\"CAP_MAKE_COFFEE\"");

  config = config_with_process();
  config.process->user.umask = 01000;
  EXPECT_EQ(prepare_process(config).error().text(),
            "config.json: .process.user.umask: 512 is above 0777 (511)");

  config = config_with_process();
  config.process->oom_score_adj = -1001;
  EXPECT_EQ(prepare_process(config).error().text(),
            "config.json: .process.oomScoreAdj: -1001 is outside -1000..1000");

  config = config_with_process();
  config.linux_config->sysctl = {{"kernel.shmmax", "1"}};
  EXPECT_EQ(prepare_process(config).error().text(),
            "config.json: .linux.sysctl[\"kernel.shmmax\"]: needs an ipc namespace in "
            ".linux.namespaces");

  config = config_with_process();
  config.linux_config->seccomp = oci::Seccomp{};
  config.linux_config->seccomp->default_action = "SCMP_ACT_ERRNO";
  config.linux_config->seccomp->syscalls = {{{"read"}, "SCMP_ACT_NOPE", std::nullopt, {}}};
  EXPECT_EQ(prepare_process(config).error().text(),
            "config.json: .linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_NOPE\"");
}

TEST(DescribeFailure, OneLineNamingTheField) {
  oci::Config config = config_with_process();
  config.process->user = {1000, 1000, std::nullopt, {5, 6}, std::nullopt};
  config.process->rlimits = {{"RLIMIT_NOFILE", 30000, 30000}};
  config.process->oom_score_adj = -500;
  config.linux_config->namespaces = {{oci::NamespaceType::kNetwork, std::nullopt}};
  config.linux_config->sysctl = {{"net.ipv4.ip_forward", "1"}};
  auto prepared = prepare_process(config);
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();

  EXPECT_EQ(describe_failure(*prepared, {Stage::kRlimit, 0, EPERM}).text(),
            "process.rlimits[0]: RLIMIT_NOFILE: setrlimit 30000/30000: Operation not permitted");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kOomScoreAdj, 0, EACCES}).text(),
            "process.oomScoreAdj: writing -500 to /proc/self/oom_score_adj: Permission denied");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kSysctl, 0, ENOENT}).text(),
            "linux.sysctl[\"net.ipv4.ip_forward\"]: writing /proc/sys/net/ipv4/ip_forward: No "
            "such file or directory");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kSetgroups, 0, EPERM}).text(),
            "process.user.additionalGids: setgroups [5,6]: Operation not permitted");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kSetuid, 0, EINVAL}).text(),
            "process.user.uid: setresuid 1000: Invalid argument");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kBoundingSet, 21, EPERM}).text(),
            "process.capabilities.bounding: dropping CAP_SYS_ADMIN: Operation not permitted");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kSeccompLoad, 0, EACCES}).text(),
            "linux.seccomp: loading the filter: Permission denied");
  EXPECT_EQ(describe_failure(*prepared, {Stage::kAmbient, 10, EPERM}).text(),
            "process.capabilities.ambient: raising CAP_NET_BIND_SERVICE: Operation not "
            "permitted");
  // An index the plan does not have still gives a line.
  EXPECT_EQ(describe_failure(*prepared, {Stage::kRlimit, 7, EPERM}).text(),
            "process set-up: stage 1 entry 7: Operation not permitted");
}

// 65,536 groups once made a line of 589 KB.
TEST(DescribeFailure, ALongGroupListIsCut) {
  oci::Config config = config_with_process();
  config.process->user.additional_gids.resize(65536);
  for (uint32_t i = 0; i < 65536; ++i) config.process->user.additional_gids[i] = 100000 + i;
  auto prepared = prepare_process(config);
  ASSERT_TRUE(prepared.ok()) << prepared.error().text();
  EXPECT_EQ(describe_failure(*prepared, {Stage::kSetgroups, 0, EINVAL}).text(),
            "process.user.additionalGids: setgroups [100000,100001,100002,100003,100004,100005,"
            "100006,100007,100008,100009,100010,100011,100012,100013,100014,100015,... (65536 "
            "in all)]: Invalid argument");
}

}  // namespace
}  // namespace husk::process
