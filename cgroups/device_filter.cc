#include "device_filter.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <utility>

#include "unique_fd.h"

namespace husk::cgroups {
namespace {

// Registers of the program: r1 holds the context (struct bpf_cgroup_dev_ctx).
constexpr uint8_t kType = 2, kAccess = 3, kMajor = 4, kMinor = 5, kScratch = 0;

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst;
  i.src_reg = src;
  i.off = off;
  i.imm = imm;
  return i;
}

// A tiny assembler with forward labels.
class Assembler {
 public:
  int new_label() {
    labels_.push_back(-1);
    return static_cast<int>(labels_.size()) - 1;
  }
  void bind(int label) { labels_[label] = static_cast<int>(code_.size()); }

  void load_u32(uint8_t dst, int16_t offset) {
    code_.push_back(insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, offset, 0));
  }
  void alu32_imm(uint8_t op, uint8_t dst, int32_t imm) {
    code_.push_back(insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm));
  }
  void mov32_reg(uint8_t dst, uint8_t src) {
    code_.push_back(insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0));
  }
  // 32-bit compare of a register with an immediate, jumping to `label` when `op` holds.
  void jump32_imm(uint8_t op, uint8_t reg, uint32_t imm, int label) {
    fixups_.emplace_back(code_.size(), label);
    code_.push_back(insn(BPF_JMP32 | op | BPF_K, reg, 0, 0, static_cast<int32_t>(imm)));
  }
  void jump(int label) {
    fixups_.emplace_back(code_.size(), label);
    code_.push_back(insn(BPF_JMP | BPF_JA, 0, 0, 0, 0));
  }
  void return_value(int32_t value) {
    code_.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, value));
    code_.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  }

  std::vector<bpf_insn> finish() && {
    for (const auto& [at, label] : fixups_) {
      code_[at].off = static_cast<int16_t>(labels_[label] - static_cast<int>(at) - 1);
    }
    return std::move(code_);
  }

 private:
  std::vector<bpf_insn> code_;
  std::vector<std::pair<size_t, int>> fixups_;
  std::vector<int> labels_;
};

uint32_t access_bits(const std::string& access) {
  if (access.empty()) return BPF_DEVCG_ACC_MKNOD | BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE;
  uint32_t bits = 0;
  for (char c : access) {
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
  }
  return bits;
}

long bpf(int cmd, bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

Result<UniqueFd> load(const std::vector<bpf_insn>& program) {
  static const char kLicense[] = "MIT";
  bpf_attr attr{};
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(program.data());
  attr.insn_cnt = static_cast<uint32_t>(program.size());
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  const long fd = bpf(BPF_PROG_LOAD, &attr);
  if (fd < 0) return Error::from_errno("loading the device eBPF program");
  return UniqueFd(static_cast<int>(fd));
}

}  // namespace

std::vector<bpf_insn> device_program(const std::vector<DeviceRule>& rules) {
  Assembler a;
  // access_type is (access << 16) | device type.
  a.load_u32(kType, offsetof(bpf_cgroup_dev_ctx, access_type));
  a.mov32_reg(kAccess, kType);
  a.alu32_imm(BPF_AND, kType, 0xFFFF);
  a.alu32_imm(BPF_RSH, kAccess, 16);
  a.load_u32(kMajor, offsetof(bpf_cgroup_dev_ctx, major));
  a.load_u32(kMinor, offsetof(bpf_cgroup_dev_ctx, minor));
  for (uint32_t bit : {BPF_DEVCG_ACC_MKNOD, BPF_DEVCG_ACC_READ, BPF_DEVCG_ACC_WRITE}) {
    const int next_bit = a.new_label();
    a.mov32_reg(kScratch, kAccess);
    a.alu32_imm(BPF_AND, kScratch, static_cast<int32_t>(bit));
    a.jump32_imm(BPF_JEQ, kScratch, 0, next_bit);
    // The last matching rule wins: look at them from the end; the first match decides.
    bool decided = false;
    for (auto rule = rules.rbegin(); rule != rules.rend() && !decided; ++rule) {
      if ((access_bits(rule->access) & bit) == 0) continue;
      const int next_rule = a.new_label();
      const char type = rule->type.value_or('a');
      if (type != 'a') {
        a.jump32_imm(BPF_JNE, kType, type == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK,
                     next_rule);
      }
      if (rule->major)
        a.jump32_imm(BPF_JNE, kMajor, static_cast<uint32_t>(*rule->major), next_rule);
      if (rule->minor)
        a.jump32_imm(BPF_JNE, kMinor, static_cast<uint32_t>(*rule->minor), next_rule);
      if (rule->allow) {
        a.jump(next_bit);
      } else {
        a.return_value(0);
      }
      a.bind(next_rule);
      // A rule for every device ends the search: earlier rules cannot match.
      decided = type == 'a' && !rule->major && !rule->minor;
    }
    if (!decided) a.return_value(0);  // no rule: deny
    a.bind(next_bit);
  }
  a.return_value(1);
  return std::move(a).finish();
}

Status set_device_program(const std::string& dir, const std::vector<bpf_insn>& program) {
  UniqueFd cgroup(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cgroup) return Error::from_errno("opening " + dir);

  // The programs attached before, to detach once the new one is in place.
  uint32_t old_ids[64] = {};
  bpf_attr query{};
  query.query.target_fd = static_cast<uint32_t>(cgroup.get());
  query.query.attach_type = BPF_CGROUP_DEVICE;
  query.query.prog_ids = reinterpret_cast<uint64_t>(old_ids);
  query.query.prog_cnt = 64;
  if (bpf(BPF_PROG_QUERY, &query) != 0) {
    return Error::from_errno("querying the device programs of " + dir);
  }

  auto prog = load(program);
  if (!prog.ok()) return std::move(prog).error();
  bpf_attr attach{};
  attach.target_fd = static_cast<uint32_t>(cgroup.get());
  attach.attach_bpf_fd = static_cast<uint32_t>(prog->get());
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &attach) != 0) {
    return Error::from_errno("attaching the device eBPF program to " + dir);
  }

  for (uint32_t i = 0; i < query.query.prog_cnt && i < 64; ++i) {
    bpf_attr by_id{};
    by_id.prog_id = old_ids[i];
    const long fd = bpf(BPF_PROG_GET_FD_BY_ID, &by_id);
    if (fd < 0) continue;  // gone meanwhile
    UniqueFd old(static_cast<int>(fd));
    bpf_attr detach{};
    detach.target_fd = static_cast<uint32_t>(cgroup.get());
    detach.attach_bpf_fd = static_cast<uint32_t>(old.get());
    detach.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &detach) != 0 && errno != ENOENT) {
      return Error::from_errno("detaching the previous device eBPF program from " + dir);
    }
  }
  return {};
}

}  // namespace husk::cgroups
