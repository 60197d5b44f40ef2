// detect() and describe(): what the host's cgroup tree looks like, learnt once.
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "cgroups.h"
#include "fs.h"
#include "text.h"

namespace husk::cgroups {
namespace {

std::vector<std::string> split(std::string_view text, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    const size_t end = text.find(sep, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// "4:memory:/a/b" lines -> controller -> path; "0::/a" -> "" -> path.
Result<std::map<std::string, std::string>> parse_proc_self_cgroup(std::string_view text) {
  std::map<std::string, std::string> self;
  for (const std::string& line : split(text, '\n')) {
    if (line.empty()) continue;
    const size_t first = line.find(':');
    const size_t second = first == std::string::npos ? first : line.find(':', first + 1);
    if (second == std::string::npos) {
      return Error("/proc/self/cgroup: \"" + line + "\" is not id:controllers:path");
    }
    const std::string path = line.substr(second + 1);
    const std::string controllers = line.substr(first + 1, second - first - 1);
    if (controllers.empty()) {
      self[""] = path;
      continue;
    }
    for (const std::string& c : split(controllers, ',')) self[c] = path;
  }
  return self;
}

}  // namespace

std::string_view layout_name(Layout layout) {
  switch (layout) {
    case Layout::kUnified:
      return "unified";
    case Layout::kLegacy:
      return "legacy";
    case Layout::kHybrid:
      return "hybrid";
  }
  return "unknown";
}

Result<Hierarchy> describe(std::string_view root, Layout layout,
                           std::string_view proc_self_cgroup) {
  Hierarchy h;
  h.root = std::string(root);
  h.layout = layout;
  if (layout != Layout::kUnified) {
    // Each v1 hierarchy is mounted on a directory named for its controllers ("cpu,cpuacct";
    // "systemd" holds the name=systemd hierarchy).
    auto names = fs::subdirectories(h.root);
    if (!names.ok()) return std::move(names).error().context("describing the cgroup tree");
    for (const std::string& name : *names) {
      if (layout == Layout::kHybrid && name == "unified") continue;
      for (const std::string& c : split(name, ',')) {
        const std::string controller = c == "systemd" ? "name=systemd" : c;
        h.v1_mounts.emplace(controller, fs::join(h.root, name));
      }
    }
  }
  if (layout != Layout::kLegacy) {
    h.unified = layout == Layout::kUnified ? h.root : fs::join(h.root, "unified");
    auto controllers = fs::read_file(fs::join(h.unified, "cgroup.controllers"));
    if (!controllers.ok())
      return std::move(controllers).error().context("describing the cgroup tree");
    for (std::string_view word : split_words(*controllers)) h.v2_controllers.emplace(word);
  }
  auto self = parse_proc_self_cgroup(proc_self_cgroup);
  if (!self.ok()) return std::move(self).error();
  h.self = std::move(*self);
  return h;
}

bool any_exists(const std::vector<std::string>& paths) {
  struct stat st {};
  for (const std::string& path : paths) {
    if (::stat(path.c_str(), &st) == 0) return true;
  }
  return false;
}

Result<Hierarchy> detect(std::string_view root) {
  const std::string root_path(root);
  struct statfs st {};
  if (::statfs(root_path.c_str(), &st) != 0) return Error::from_errno("statfs " + root_path);
  Layout layout = Layout::kLegacy;
  if (st.f_type == CGROUP2_SUPER_MAGIC) {
    layout = Layout::kUnified;
  } else {
    const std::string unified = fs::join(root_path, "unified");
    struct statfs ust {};
    if (::statfs(unified.c_str(), &ust) == 0 && ust.f_type == CGROUP2_SUPER_MAGIC) {
      layout = Layout::kHybrid;
    } else if (st.f_type != TMPFS_MAGIC && st.f_type != CGROUP_SUPER_MAGIC) {
      return Error(root_path + " is neither a cgroup2 mount nor a tmpfs of v1 hierarchies");
    }
  }
  auto self = fs::read_file("/proc/self/cgroup");
  if (!self.ok()) return std::move(self).error();
  auto h = describe(root, layout, *self);
  if (!h.ok()) return h;
  // A directory of the root that is not a v1 mount (an empty "unified" on a legacy host, a
  // leftover) is no hierarchy.
  std::erase_if(h->v1_mounts, [](const auto& entry) {
    struct statfs mount {};
    return ::statfs(entry.second.c_str(), &mount) != 0 || mount.f_type != CGROUP_SUPER_MAGIC;
  });
  return h;
}

}  // namespace husk::cgroups
