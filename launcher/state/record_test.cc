#include "state/record.h"

#include <gtest/gtest.h>
#include <unistd.h>

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
  record.owns_cgroup = false;
  record.created_ns = 99;
  record.no_init = true;
  record.foreground = true;
  auto back = parse_record(record_json(record));
  ASSERT_TRUE(back.ok()) << back.error().text();
  EXPECT_EQ(state_json(back->state), state_json(record.state));
  EXPECT_EQ(back->init_start_time, 123456u);
  EXPECT_EQ(back->cgroup_paths, record.cgroup_paths);
  EXPECT_FALSE(back->owns_cgroup);
  EXPECT_EQ(back->created_ns, 99);
  EXPECT_TRUE(back->no_init);
  EXPECT_TRUE(back->foreground);
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
