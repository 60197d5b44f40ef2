#include "sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "unique_fd.h"

namespace husk::process {
namespace {

std::string where(std::string_view key) {
  return ".linux.sysctl[\"" + std::string(key) + "\"]";
}

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

// The key with '/' as separator; errors for empty, "." or ".." components.
Result<std::string> key_to_path(std::string_view key) {
  const char separator = key.find('/') != std::string_view::npos ? '/' : '.';
  std::string path;
  size_t start = 0;
  while (true) {
    size_t end = key.find(separator, start);
    std::string_view part = key.substr(start, end == std::string_view::npos ? end : end - start);
    if (part.empty() || part == "." || part == ".." || part.find('\0') != std::string_view::npos)
      return Error(where(key) + ": not a sysctl name");
    if (!path.empty()) path += '/';
    path += part;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return path;
}

}  // namespace

Result<oci::NamespaceType> sysctl_namespace(std::string_view key) {
  std::string dotted(key);
  if (dotted.find('/') != std::string::npos) std::replace(dotted.begin(), dotted.end(), '/', '.');
  if (starts_with(dotted, "kernel.msg") || dotted == "kernel.sem" ||
      starts_with(dotted, "kernel.shm") || starts_with(dotted, "fs.mqueue."))
    return oci::NamespaceType::kIpc;
  if (starts_with(dotted, "net.")) return oci::NamespaceType::kNetwork;
  if (dotted == "kernel.hostname" || dotted == "kernel.domainname") return oci::NamespaceType::kUts;
  return Error(where(key) +
               ": not a namespaced sysctl (only kernel.msg*, kernel.sem, kernel.shm*, "
               "fs.mqueue.*, net.*, kernel.hostname and kernel.domainname)");
}

Result<std::vector<PreparedSysctl>> prepare_sysctls(
    const std::map<std::string, std::string>& sysctl,
    const std::vector<oci::Namespace>& namespaces) {
  std::vector<PreparedSysctl> prepared;
  for (const auto& [key, value] : sysctl) {
    auto path = key_to_path(key);
    if (!path) return std::move(path).error();
    auto type = sysctl_namespace(key);
    if (!type) return std::move(type).error();
    bool present = std::any_of(namespaces.begin(), namespaces.end(),
                               [&](const oci::Namespace& ns) { return ns.type == *type; });
    if (!present) {
      const char* name = *type == oci::NamespaceType::kIpc       ? "an ipc"
                         : *type == oci::NamespaceType::kNetwork ? "a network"
                                                                 : "a uts";
      return Error(where(key) + ": needs " + name + " namespace in .linux.namespaces");
    }
    prepared.push_back({key, "/proc/sys/" + *path, value});
  }
  return prepared;
}

ApplyFailure apply_sysctls(const std::vector<PreparedSysctl>& sysctls) {
  for (size_t i = 0; i < sysctls.size(); ++i) {
    const PreparedSysctl& sysctl = sysctls[i];
    UniqueFd fd(open(sysctl.path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return {Stage::kSysctl, static_cast<int32_t>(i), errno};
    ssize_t n = write(fd.get(), sysctl.value.data(), sysctl.value.size());
    if (n != static_cast<ssize_t>(sysctl.value.size()))
      return {Stage::kSysctl, static_cast<int32_t>(i), n < 0 ? errno : EIO};
  }
  return ApplyFailure::none();
}

}  // namespace husk::process
