#include "capabilities.h"

#include <linux/capability.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <string>
#include <vector>

namespace husk::process {
namespace {

constexpr std::string_view kPrefix = "CAP_";

bool has(uint64_t set, int cap) { return (set >> cap) & 1; }

Result<uint64_t> to_mask(const std::vector<std::string>& names, std::string_view set_name,
                         int last_cap) {
  uint64_t mask = 0;
  for (size_t i = 0; i < names.size(); ++i) {
    std::string where = ".process.capabilities." + std::string(set_name) + "[" +
                        std::to_string(i) + "]";
    std::optional<int> cap = capability_from_name(names[i]);
    if (!cap) return Error(where + ": unknown capability \"" + names[i] + "\"");
    if (*cap > last_cap || *cap >= 64)
      return Error(where + ": " + names[i] + " is not supported by this kernel (its last is " +
                   capability_name(last_cap) + ")");
    mask |= uint64_t{1} << *cap;
  }
  return mask;
}

// The first capability of `names` whose bit is in `mask`, as an index into names.
size_t first_in(const std::vector<std::string>& names, uint64_t mask) {
  for (size_t i = 0; i < names.size(); ++i)
    if (has(mask, *capability_from_name(names[i]))) return i;
  return names.size();
}

}  // namespace

std::optional<int> capability_from_name(std::string_view name) {
  if (name.size() <= kPrefix.size() || name.substr(0, kPrefix.size()) != kPrefix)
    return std::nullopt;
  for (char c : name)
    if (!(std::isupper(static_cast<unsigned char>(c)) || c == '_' ||
          std::isdigit(static_cast<unsigned char>(c))))
      return std::nullopt;
  cap_value_t value = 0;
  if (cap_from_name(std::string(name).c_str(), &value) != 0) return std::nullopt;
  return static_cast<int>(value);
}

std::string capability_name(int cap) {
  char* name = cap_to_name(static_cast<cap_value_t>(cap));
  if (name == nullptr) return std::to_string(cap);
  std::string result(name);
  cap_free(name);
  if (result.substr(0, 4) != "cap_") return result;  // libcap gives bare numbers for new caps
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

Result<int> last_capability() {
  int bits = cap_max_bits();
  if (bits <= 0) return Error("reading the kernel's capability count");
  return bits - 1;
}

Result<CapabilitySets> prepare_capabilities(const oci::Capabilities& caps, int last_cap) {
  CapabilitySets sets;
  sets.last_cap = last_cap;
  auto bounding = to_mask(caps.bounding, "bounding", last_cap);
  if (!bounding) return std::move(bounding).error();
  auto effective = to_mask(caps.effective, "effective", last_cap);
  if (!effective) return std::move(effective).error();
  auto inheritable = to_mask(caps.inheritable, "inheritable", last_cap);
  if (!inheritable) return std::move(inheritable).error();
  auto permitted = to_mask(caps.permitted, "permitted", last_cap);
  if (!permitted) return std::move(permitted).error();
  auto ambient = to_mask(caps.ambient, "ambient", last_cap);
  if (!ambient) return std::move(ambient).error();
  sets.bounding = *bounding;
  sets.effective = *effective;
  sets.inheritable = *inheritable;
  sets.permitted = *permitted;
  sets.ambient = *ambient;

  if (uint64_t extra = sets.effective & ~sets.permitted; extra != 0) {
    size_t i = first_in(caps.effective, extra);
    return Error(".process.capabilities.effective[" + std::to_string(i) +
                 "]: " + caps.effective[i] + " is not in the permitted set");
  }
  if (uint64_t extra = sets.inheritable & ~sets.bounding; extra != 0) {
    size_t i = first_in(caps.inheritable, extra);
    return Error(".process.capabilities.inheritable[" + std::to_string(i) +
                 "]: " + caps.inheritable[i] + " is not in the bounding set");
  }
  // The kernel raises an ambient capability only when it is both permitted and inheritable.
  // Configs that list ambient capabilities without inheritable ones are common (`runc spec`
  // writes one); runc goes on without them, and so do we.
  sets.ambient &= sets.permitted & sets.inheritable;
  return sets;
}

ApplyFailure drop_bounding_set(const CapabilitySets& sets) {
  for (int cap = 0; cap <= sets.last_cap; ++cap) {
    if (has(sets.bounding, cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) return {Stage::kBoundingSet, cap, errno};
  }
  return ApplyFailure::none();
}

ApplyFailure apply_capability_sets(const CapabilitySets& sets) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  for (int word = 0; word < _LINUX_CAPABILITY_U32S_3; ++word) {
    const int shift = 32 * word;
    data[word].effective = static_cast<uint32_t>(sets.effective >> shift);
    data[word].permitted = static_cast<uint32_t>(sets.permitted >> shift);
    data[word].inheritable = static_cast<uint32_t>(sets.inheritable >> shift);
  }
  if (syscall(SYS_capset, &header, data) != 0) return {Stage::kCapset, 0, errno};

  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0)
    return {Stage::kAmbient, -1, errno};
  for (int cap = 0; cap <= sets.last_cap; ++cap) {
    if (!has(sets.ambient, cap)) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
      return {Stage::kAmbient, cap, errno};
  }
  return ApplyFailure::none();
}

}  // namespace husk::process
