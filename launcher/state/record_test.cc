#include "state/record.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>

#include "json_text.h"

namespace husk::launch {
namespace {

TEST(Record, StateJson) {
  State state;
  state.oci_version = "1.2.0";
  state.id = "c1";
  state.status = ContainerStatus::kCreated;
  state.pid = 42;
  state.bundle = "/b \"q\"";
  state.annotations = {{"a", "1"}, {"b", "x\ny"}};
  EXPECT_EQ(state_json(state), R"({"ociVersion":"1.2.0","id":"c1","status":"created","pid":42,)"
                               R"("bundle":"/b \"q\"","annotations":{"a":"1","b":"x\ny"}})");
  state.pid = 0;
  state.annotations.clear();
  state.status = ContainerStatus::kStopped;
  EXPECT_EQ(state_json(state),
            R"({"ociVersion":"1.2.0","id":"c1","status":"stopped","bundle":"/b \"q\""})");
}

TEST(Record, RoundTrip) {
  Record record;
  record.state = {"1.2.0", "c1", ContainerStatus::kPaused, 77, "/bundle", {{"k", "v"}}};
  record.init_start_time = 123456;
  record.cgroup_paths = {"/sys/fs/cgroup/pids/x", "/sys/fs/cgroup/unified/x"};
  record.cgroup_created = {"/sys/fs/cgroup/pids/x"};
  record.created_ns = 99;
  record.no_init = true;
  record.foreground = true;
  auto back = parse_record(record_json(record));
  ASSERT_TRUE(back.ok()) << back.error().text();
  EXPECT_EQ(state_json(back->state), state_json(record.state));
  EXPECT_EQ(back->init_start_time, 123456u);
  EXPECT_EQ(back->cgroup_paths, record.cgroup_paths);
  EXPECT_EQ(back->cgroup_created, record.cgroup_created);
  EXPECT_FALSE(back->owns_cgroup());
  back->cgroup_created = back->cgroup_paths;
  EXPECT_TRUE(back->owns_cgroup());
  EXPECT_EQ(back->created_ns, 99);
  EXPECT_TRUE(back->no_init);
  EXPECT_TRUE(back->foreground);
}

// Every field back as written, strings that need escapes and empty lists included; the text is
// the state's object with "husk" added, so that what reads state.json as the state finds it.
TEST(Record, EveryFieldRoundTrips) {
  Record record;
  record.state = {"1.2.0", "c2", ContainerStatus::kRunning, 5, "/b \"q\"\\\n\x7f", {}};
  record.systemd_unit = "husk-c2.scope";
  record.created_ns = -1;
  record.init_start_time = UINT64_MAX;
  const std::string text = record_json(record);
  std::string state = state_json(record.state);
  state.pop_back();
  EXPECT_EQ(text.rfind(state + ",\"husk\":{", 0), 0u) << text;
  auto back = parse_record(text);
  ASSERT_TRUE(back.ok()) << back.error().text();
  EXPECT_EQ(state_json(back->state), state_json(record.state));
  EXPECT_TRUE(back->cgroup_paths.empty());
  EXPECT_TRUE(back->cgroup_created.empty());
  EXPECT_EQ(back->systemd_unit, "husk-c2.scope");
  EXPECT_EQ(back->created_ns, -1);
  EXPECT_EQ(back->init_start_time, UINT64_MAX);
  EXPECT_FALSE(back->no_init);
  EXPECT_FALSE(back->foreground);
  EXPECT_EQ(record_json(*back), text);
}

TEST(Record, Utf8) {
  for (std::string_view good : {"", "/run/x", "caf\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(is_utf8(good)) << good;
  }
  for (std::string_view bad :
       {"\xff", "a\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xed\xa0\x80", "\xf0\x80\x80\xaf",
        "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xe2\x82", "\xf0\x9f\x98", "\xc3"}) {
    EXPECT_FALSE(is_utf8(bad)) << testing::PrintToString(std::string(bad));
  }
}

TEST(Record, BadRecords) {
  auto error = [](std::string_view text) {
    auto record = parse_record(text);
    return record.ok() ? std::string("ok") : record.error().text();
  };
  EXPECT_EQ(error(R"({"id":"c1","status":"exploded","husk":{}})"),
            "state.json: .status: unknown status \"exploded\"");
  EXPECT_EQ(error(R"({"id":"../x","status":"created","husk":{}})"),
            "state.json: .id: container ID \"../x\" may only hold letters, digits, '_', '.', '+' "
            "and '-'");
  EXPECT_NE(error(R"({"id":"c1","status":"created","pid":"x","husk":{}})").find("state.json: .pid"),
            std::string::npos);
  EXPECT_NE(error("{").find("state.json: "), std::string::npos);
}

TEST(Record, ValidateId) {
  EXPECT_TRUE(validate_id("abc-1.2_x+y").ok());
  EXPECT_EQ(validate_id("").error().text(), "container ID is empty");
  EXPECT_EQ(validate_id("..").error().text(), "container ID \"..\" is invalid");
  EXPECT_EQ(validate_id("a/b").error().text(),
            "container ID \"a/b\" may only hold letters, digits, '_', '.', '+' and '-'");
}

TEST(ProcessIdentity, StatAndStartTime) {
  auto stat = parse_process_stat(
      "42 (a) b) c) S 1 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10");
  ASSERT_TRUE(stat.ok()) << stat.error().text();
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->start_time, 98765u);
  auto self = identify(::getpid());
  ASSERT_TRUE(self.ok());
  EXPECT_TRUE(alive(*self));
  EXPECT_FALSE(alive({self->pid, self->start_time + 1}));  // a recycled pid: another process
}

}  // namespace
}  // namespace husk::launch
