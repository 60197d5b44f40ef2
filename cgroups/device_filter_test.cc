// The device program as data: run by a small interpreter of the instructions it uses, against
// the rule semantics written out plainly (per access, the last matching rule decides).
#include "device_filter.h"

#include <gtest/gtest.h>

#include <random>

namespace husk::cgroups {
namespace {

constexpr uint32_t kMknod = BPF_DEVCG_ACC_MKNOD, kRead = BPF_DEVCG_ACC_READ,
                   kWrite = BPF_DEVCG_ACC_WRITE;
constexpr uint32_t kBlock = BPF_DEVCG_DEV_BLOCK, kChar = BPF_DEVCG_DEV_CHAR;

struct Request {
  uint32_t type, access, major, minor;
};

// Runs `program` on one request; fails the test on an instruction it does not know.
int run(const std::vector<bpf_insn>& program, const Request& r) {
  bpf_cgroup_dev_ctx ctx{(r.access << 16) | r.type, r.major, r.minor};
  uint64_t reg[11] = {};
  for (size_t pc = 0, steps = 0; pc < program.size() && steps < 100000; ++pc, ++steps) {
    const bpf_insn& i = program[pc];
    const uint32_t dst32 = static_cast<uint32_t>(reg[i.dst_reg]);
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        uint32_t value;
        std::memcpy(&value, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        EXPECT_EQ(i.src_reg, 1);
        reg[i.dst_reg] = value;
        break;
      }
      case BPF_ALU | BPF_MOV | BPF_X:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.src_reg]);
        break;
      case BPF_ALU | BPF_AND | BPF_K:
        reg[i.dst_reg] = dst32 & static_cast<uint32_t>(i.imm);
        break;
      case BPF_ALU | BPF_RSH | BPF_K:
        reg[i.dst_reg] = dst32 >> i.imm;
        break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        reg[i.dst_reg] = static_cast<uint64_t>(int64_t{i.imm});
        break;
      case BPF_JMP32 | BPF_JEQ | BPF_K:
        if (dst32 == static_cast<uint32_t>(i.imm)) pc += i.off;
        break;
      case BPF_JMP32 | BPF_JNE | BPF_K:
        if (dst32 != static_cast<uint32_t>(i.imm)) pc += i.off;
        break;
      case BPF_JMP | BPF_JA:
        pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT:
        return static_cast<int>(reg[0]);
      default:
        ADD_FAILURE() << "unknown instruction " << int{i.code} << " at " << pc;
        return -1;
    }
  }
  ADD_FAILURE() << "the program ran off its end";
  return -1;
}

uint32_t bits(const std::string& access) {
  if (access.empty()) return kMknod | kRead | kWrite;
  uint32_t b = 0;
  for (char c : access) b |= c == 'm' ? kMknod : c == 'r' ? kRead : kWrite;
  return b;
}

// The meaning of the rule list, written plainly.
int expected(const std::vector<DeviceRule>& rules, const Request& r) {
  for (uint32_t bit : {kMknod, kRead, kWrite}) {
    if ((r.access & bit) == 0) continue;
    bool allowed = false;
    for (const DeviceRule& rule : rules) {
      const char type = rule.type.value_or('a');
      const bool match =
          (bits(rule.access) & bit) != 0 && (type == 'a' || (type == 'c') == (r.type == kChar)) &&
          (!rule.major || *rule.major == r.major) && (!rule.minor || *rule.minor == r.minor);
      if (match) allowed = rule.allow;
    }
    if (!allowed) return 0;
  }
  return 1;
}

DeviceRule rule(bool allow, char type, std::optional<int64_t> major, std::optional<int64_t> minor,
                std::string access) {
  return DeviceRule{allow, type, major, minor, std::move(access)};
}

TEST(DeviceProgramTest, NoRulesDeniesEverything) {
  const auto program = device_program({});
  EXPECT_EQ(run(program, {kChar, kRead, 1, 3}), 0);
  EXPECT_EQ(run(program, {kBlock, kMknod, 8, 0}), 0);
}

TEST(DeviceProgramTest, AllowAllAllowsEverything) {
  const auto program = device_program({DeviceRule{.allow = true}});
  EXPECT_EQ(run(program, {kChar, kRead | kWrite, 1, 3}), 1);
  EXPECT_EQ(run(program, {kBlock, kMknod, 8, 0}), 1);
}

TEST(DeviceProgramTest, TypicalContainerList) {
  const std::vector<DeviceRule> rules = {
      rule(false, 'a', {}, {}, "rwm"), rule(true, 'c', 1, 3, "rwm"),  // null
      rule(true, 'c', 1, 5, "rwm"),                                   // zero
      rule(true, 'c', 136, {}, "rwm"),                                // pts
      rule(true, 'c', 10, 200, "rw"),                                 // tun, no mknod
  };
  const auto program = device_program(rules);
  EXPECT_EQ(run(program, {kChar, kRead | kWrite, 1, 3}), 1);
  EXPECT_EQ(run(program, {kChar, kRead, 136, 42}), 1);
  EXPECT_EQ(run(program, {kBlock, kRead, 1, 3}), 0);  // block 1:3 is not char 1:3
  EXPECT_EQ(run(program, {kChar, kRead, 1, 1}), 0);   // /dev/mem
  EXPECT_EQ(run(program, {kChar, kMknod, 10, 200}), 0);
  EXPECT_EQ(run(program, {kChar, kRead | kWrite, 10, 200}), 1);
}

TEST(DeviceProgramTest, LastMatchWinsPerAccess) {
  const std::vector<DeviceRule> rules = {rule(true, 'c', 1, 3, "rw"), rule(false, 'c', 1, 3, "w")};
  const auto program = device_program(rules);
  EXPECT_EQ(run(program, {kChar, kRead, 1, 3}), 1);
  EXPECT_EQ(run(program, {kChar, kWrite, 1, 3}), 0);
  EXPECT_EQ(run(program, {kChar, kRead | kWrite, 1, 3}), 0);  // every access must pass
  // Two allow rules that together cover read and write.
  const auto split = device_program({rule(true, 'c', 1, 3, "r"), rule(true, 'c', 1, 3, "w")});
  EXPECT_EQ(run(split, {kChar, kRead | kWrite, 1, 3}), 1);
}

TEST(DeviceProgramTest, MatchesThePlainMeaningOnRandomLists) {
  std::mt19937 random(42);  // NOLINT(cert-msc32-c,cert-msc51-cpp): the same lists every run
  const auto pick = [&random](int n) { return static_cast<int>(random() % n); };
  const std::vector<std::optional<int64_t>> majors = {std::nullopt, 1, 5, 136};
  const std::vector<std::optional<int64_t>> minors = {std::nullopt, 0, 3};
  const char* accesses[] = {"", "r", "w", "m", "rw", "rm", "wm", "rwm"};
  for (int round = 0; round < 300; ++round) {
    std::vector<DeviceRule> rules;
    for (int n = pick(6); n > 0; --n) {
      rules.push_back(
          rule(pick(2) == 1, "abc"[pick(3)], majors[pick(4)], minors[pick(3)], accesses[pick(8)]));
    }
    const auto program = device_program(rules);
    for (uint32_t type : {kBlock, kChar}) {
      for (uint32_t major : {1u, 5u, 136u, 7u}) {
        for (uint32_t minor : {0u, 3u, 9u}) {
          for (uint32_t access = 1; access <= 7; ++access) {
            const Request r{type, access, major, minor};
            ASSERT_EQ(run(program, r), expected(rules, r))
                << "round " << round << " type " << type << " " << major << ":" << minor
                << " access " << access;
          }
        }
      }
    }
  }
}

TEST(DeviceProgramTest, JumpsStayInsideTheProgram) {
  const auto program = device_program(
      {rule(false, 'a', {}, {}, ""), rule(true, 'c', 1, 3, "r"), rule(true, 'b', 8, {}, "rw")});
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const uint8_t cls = BPF_CLASS(program[pc].code);
    if ((cls == BPF_JMP || cls == BPF_JMP32) && BPF_OP(program[pc].code) != BPF_EXIT) {
      const long target = static_cast<long>(pc) + 1 + program[pc].off;
      EXPECT_GT(target, static_cast<long>(pc));
      EXPECT_LT(target, static_cast<long>(program.size()));
    }
  }
  EXPECT_EQ(program.back().code, BPF_JMP | BPF_EXIT);
}

}  // namespace
}  // namespace husk::cgroups
