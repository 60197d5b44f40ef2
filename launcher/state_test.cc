#include "state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace husk::launch {
namespace {

TEST(State, Json) {
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

TEST(State, ValidateId) {
  EXPECT_TRUE(validate_id("abc-1.2_x+y").ok());
  EXPECT_EQ(validate_id("").error().text(), "container ID is empty");
  EXPECT_EQ(validate_id("..").error().text(), "container ID \"..\" is invalid");
  EXPECT_EQ(validate_id("a/b").error().text(),
            "container ID \"a/b\" may only hold letters, digits, '_', '.', '+' and '-'");
}

TEST(State, DirLifecycle) {
  char tmpl[] = "/tmp/husk-state-test-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string root = std::string(tmpl) + "/root";
  {
    auto dir = StateDir::create(root, "c1");
    ASSERT_TRUE(dir.ok()) << dir.error().text();
    auto again = StateDir::create(root, "c1");
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().text(), "container c1 already exists (" + root + "/c1)");
    State state;
    state.id = "c1";
    ASSERT_TRUE(dir->write(state).ok());
    std::ifstream in(root + "/c1/state.json");
    std::stringstream text;
    text << in.rdbuf();
    EXPECT_EQ(text.str(), state_json(state));
  }  // dropped: removed
  struct stat st {};
  EXPECT_NE(::stat((root + "/c1").c_str(), &st), 0);
  ::rmdir(root.c_str());
  ::rmdir(tmpl);
}

}  // namespace
}  // namespace husk::launch
