// FakeTree (tests only): a cgroupfs look-alike in a temporary folder. A real cgroupfs fills a
// new directory with its interface files; here populate() does, for the cgroups a test expects.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "cgroups.h"
#include "fs.h"

namespace husk::cgroups::testing {

class FakeTree {
 public:
  // Hybrid: the v1 controllers of our own machines, and hugetlb on the v2 mount.
  explicit FakeTree(Layout layout) : layout_(layout) {
    char tmpl[] = "/tmp/husk-fake-cgroupfs-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) throw std::runtime_error("mkdtemp");
    root_ = tmpl;
    if (layout != Layout::kUnified) {
      std::vector<std::string> v1 = {"cpu",     "cpuacct", "cpuset", "memory", "devices",
                                     "freezer", "blkio",   "pids",   "systemd"};
      if (layout == Layout::kLegacy)
        v1.insert(v1.end(), {"hugetlb", "net_cls", "net_prio", "rdma"});
      for (const std::string& c : v1) make_dir(c);
    }
    if (layout != Layout::kLegacy) {
      const std::string unified = layout == Layout::kUnified ? "" : "unified";
      if (!unified.empty()) make_dir(unified);
      write(fs::join(unified, "cgroup.controllers"),
            layout == Layout::kUnified ? "cpuset cpu io memory hugetlb pids rdma" : "hugetlb");
      write(fs::join(unified, "cgroup.subtree_control"), "");
    }
  }
  ~FakeTree() { remove_all(root_); }
  FakeTree(const FakeTree&) = delete;
  FakeTree& operator=(const FakeTree&) = delete;

  const std::string& root() const { return root_; }

  Hierarchy hierarchy(std::string_view proc_self_cgroup = "0::/\n") const {
    auto h = describe(root_, layout_, proc_self_cgroup);
    if (!h.ok()) throw std::runtime_error(h.error().text());
    return *h;
  }

  // Creates `dir` (relative to the root, parents included) with the files of `controller`.
  void populate(const std::string& dir, const std::string& controller) {
    std::string path;
    for (size_t start = 0; start < dir.size();) {
      size_t end = dir.find('/', start);
      if (end == std::string::npos) end = dir.size();
      path = fs::join(path, dir.substr(start, end - start));
      if (!fs::exists(fs::join(root_, path))) make_dir(path);
      start = end + 1;
    }
    for (const std::string& file : files(controller)) {
      if (!fs::exists(fs::join(root_, fs::join(dir, file)))) write(fs::join(dir, file), "");
    }
  }

  std::string read(const std::string& path) const {
    auto text = fs::read_file(fs::join(root_, path));
    if (text.ok()) return *text;
    std::string failed = "<";  // not "<" + ...: GCC 12 warns (-Wrestrict) wrongly about that
    failed += text.error().text();
    failed += ">";
    return failed;
  }
  void write(const std::string& path, const std::string& text) const {
    const std::string full = fs::join(root_, path);
    const int fd = ::open(full.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw std::runtime_error("writing " + full);
    }
    ::close(fd);
  }
  bool exists(const std::string& path) const { return fs::exists(fs::join(root_, path)); }

 private:
  void make_dir(const std::string& path) const {
    if (::mkdir(fs::join(root_, path).c_str(), 0755) != 0) throw std::runtime_error("mkdir");
  }

  static std::vector<std::string> files(const std::string& controller) {
    if (controller == "v2") {
      return {"cgroup.procs",
              "cgroup.subtree_control",
              "cgroup.controllers",
              "cgroup.freeze",
              "cgroup.events",
              "cgroup.kill",
              "cgroup.max.depth",
              "memory.max",
              "memory.low",
              "memory.high",
              "memory.swap.max",
              "memory.current",
              "memory.peak",
              "memory.swap.current",
              "memory.events",
              "pids.max",
              "pids.current",
              "cpu.weight",
              "cpu.max",
              "cpu.max.burst",
              "cpu.idle",
              "cpu.stat",
              "cpuset.cpus",
              "cpuset.mems",
              "io.weight",
              "io.max",
              "io.stat",
              "hugetlb.2MB.max",
              "rdma.max"};
    }
    std::vector<std::string> v1 = {"cgroup.procs", "tasks"};
    const std::vector<std::pair<std::string, std::vector<std::string>>> table = {
        {"memory",
         {"memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes",
          "memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes", "memory.swappiness",
          "memory.oom_control", "memory.use_hierarchy", "memory.usage_in_bytes",
          "memory.max_usage_in_bytes", "memory.memsw.usage_in_bytes"}},
        {"cpu",
         {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us",
          "cpu.rt_period_us", "cpu.rt_runtime_us", "cpu.idle", "cpu.stat"}},
        {"cpuacct", {"cpuacct.usage", "cpuacct.stat"}},
        {"cpuset", {"cpuset.cpus", "cpuset.mems"}},
        {"pids", {"pids.max", "pids.current"}},
        {"blkio",
         {"blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
          "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
          "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device",
          "blkio.throttle.io_service_bytes_recursive", "blkio.throttle.io_serviced_recursive"}},
        {"hugetlb", {"hugetlb.2MB.limit_in_bytes"}},
        {"net_cls", {"net_cls.classid"}},
        {"net_prio", {"net_prio.ifpriomap"}},
        {"rdma", {"rdma.max"}},
        {"devices", {"devices.allow", "devices.deny"}},
        {"freezer", {"freezer.state"}},
    };
    for (const auto& [name, names] : table) {
      if (name == controller) v1.insert(v1.end(), names.begin(), names.end());
    }
    return v1;
  }

  static void remove_all(const std::string& path) {
    if (DIR* dir = ::opendir(path.c_str())) {
      while (const dirent* entry = ::readdir(dir)) {
        const std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        const std::string child = fs::join(path, name);
        if (entry->d_type == DT_DIR) {
          remove_all(child);
        } else {
          ::unlink(child.c_str());
        }
      }
      ::closedir(dir);
    }
    ::rmdir(path.c_str());
  }

  Layout layout_;
  std::string root_;
};

}  // namespace husk::cgroups::testing
