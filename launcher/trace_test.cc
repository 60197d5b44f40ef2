// Trace: one JSON object, phases in order in microseconds, notes, spans from elsewhere.
#include "trace.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "channel.h"

namespace husk::launch {
namespace {

TEST(Trace, OneJsonObjectWithThePhasesInOrder) {
  Trace trace("run");
  trace.mark("parse");
  trace.note("seccomp", "cached \"x\"");
  int64_t now = realtime_ns();
  trace.span("child", now - 2'500'000, now - 500'000);
  trace.span("unknown", 0, now);  // skipped
  trace.until("skipped", 0);
  trace.mark("after");
  const std::string text = trace.json();
  auto object = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"verb", "seccomp", "parse_us", "child_us", "after_us",
                                            "total_us"}));
  EXPECT_EQ(object["verb"], "run");
  EXPECT_EQ(object["seccomp"], "cached \"x\"");
  EXPECT_EQ(object["child_us"], 2000);
  EXPECT_GE(object["after_us"].get<int64_t>(), 500);  // from the span's end
  EXPECT_GE(object["total_us"].get<int64_t>(), object["parse_us"].get<int64_t>());
  EXPECT_EQ(text.find('\n'), std::string::npos);
}

}  // namespace
}  // namespace husk::launch
