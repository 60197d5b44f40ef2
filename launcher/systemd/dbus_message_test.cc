#include "systemd/dbus_message.h"

#include <gtest/gtest.h>

namespace husk::launch::systemd {
namespace {

using namespace std::string_literals;

Call stop_call() {
  return Call{"org.freedesktop.systemd1",
              "/org/freedesktop/systemd1",
              "org.freedesktop.systemd1.Manager",
              "StopUnit",
              {std::string("a.scope"), std::string("replace")}};
}

TEST(DbusMessage, TheBodyIsAlignedAndLittleEndian) {
  std::string bytes = marshal_call(stop_call(), 7);
  EXPECT_EQ(bytes.substr(0, 12), "l\x01\x00\x01\x18\x00\x00\x00\x07\x00\x00\x00"s);
  // Two strings: length, bytes, NUL; the second length aligned to 4.
  EXPECT_EQ(bytes.substr(bytes.size() - 24), "\x07\0\0\0a.scope\0\x07\0\0\0replace\0"s);
  EXPECT_EQ(bytes.size() % 8, 0u);
  auto size = message_size(bytes.substr(0, 16));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, bytes.size());
}

TEST(DbusMessage, ACallReadsBack) {
  auto message = parse_message(marshal_call(stop_call(), 7));
  ASSERT_TRUE(message.ok()) << message.error().text();
  EXPECT_EQ(message->type, MessageType::kMethodCall);
  EXPECT_EQ(message->serial, 7u);
  EXPECT_EQ(message->path, "/org/freedesktop/systemd1");
  EXPECT_EQ(message->interface, "org.freedesktop.systemd1.Manager");
  EXPECT_EQ(message->member, "StopUnit");
  EXPECT_EQ(message->signature, "ss");
  EXPECT_EQ(message->arguments, (std::vector<std::string>{"a.scope", "replace"}));
}

TEST(DbusMessage, PropertiesAreAnArrayOfStructsOfVariants) {
  Call call = stop_call();
  call.member = "StartTransientUnit";
  call.arguments = {std::string("a.scope"), std::string("fail"),
                    std::vector<Property>{{"Delegate", true},
                                          {"PIDs", std::vector<uint32_t>{42}},
                                          {"MemoryMax", uint64_t{1} << 40}},
                    AuxUnits{}};
  std::string bytes = marshal_call(call, 1);
  auto message = parse_message(bytes);
  ASSERT_TRUE(message.ok()) << message.error().text();
  EXPECT_EQ(message->signature, "ssa(sv)a(sa(sv))");
  // The body: "a.scope" (0-11), "fail" (12-20), the array's length at 24, its first struct at
  // 32: the name, the signature "b", the value.
  std::string body = bytes.substr(bytes.size() - (bytes[4] & 0xff));
  EXPECT_EQ(body.substr(12, 4), "\x04\0\0\0"s);
  EXPECT_EQ(body.substr(32, 13), "\x08\0\0\0Delegate\0"s);
  EXPECT_EQ(body.substr(45, 7),
            "\x01"
            "b\0\x01\0\0\0"s);
  // The empty auxiliary array: a zero length, then padding to 8 for its structs.
  EXPECT_EQ(body.substr(body.size() - 4), "\0\0\0\0"s);
}

TEST(DbusMessage, AJobRemovedSignal) {
  auto u32 = [](size_t v) {
    std::string out;
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
    return out;
  };
  auto pad = [](std::string& bytes, size_t n) { bytes.append((n - bytes.size() % n) % n, '\0'); };
  auto string = [&](std::string& bytes, std::string_view text) {
    pad(bytes, 4);
    bytes += u32(text.size()) + std::string(text) + '\0';
  };
  // uoss: id 5, job, unit, result, as systemd sends it.
  std::string body = u32(5);
  string(body, "/org/freedesktop/systemd1/job/5");
  string(body, "a.unit");
  string(body, "done");
  std::string fields = "\x03\x01s\0"s;  // the member
  string(fields, "JobRemoved");
  pad(fields, 8);
  fields += "\x08\x01g\0\x04uoss\0"s;
  std::string message = "l\x04\x00\x01"s + u32(body.size()) + u32(9) + u32(fields.size()) + fields;
  pad(message, 8);
  message += body;
  auto parsed = parse_message(message);
  ASSERT_TRUE(parsed.ok()) << parsed.error().text();
  EXPECT_EQ(parsed->type, MessageType::kSignal);
  EXPECT_EQ(parsed->member, "JobRemoved");
  EXPECT_EQ(parsed->arguments,
            (std::vector<std::string>{"5", "/org/freedesktop/systemd1/job/5", "a.unit", "done"}));
}

TEST(DbusMessage, TruncatedAndForeignMessagesAreErrors) {
  std::string bytes = marshal_call(stop_call(), 1);
  EXPECT_FALSE(parse_message(bytes.substr(0, bytes.size() - 1)).ok());
  std::string big_endian = bytes;
  big_endian[0] = 'B';
  EXPECT_EQ(message_size(big_endian).error().text(), "a D-Bus message that is not little-endian");
  std::string bad_fields = bytes;
  bad_fields[18] = 'x';  // the first field's type: "x", not "o"
  EXPECT_FALSE(parse_message(bad_fields).ok());
}

}  // namespace
}  // namespace husk::launch::systemd
