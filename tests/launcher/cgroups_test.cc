// The container's cgroup: at the relative linux.cgroupsPath (below launch's own cgroup), with
// linux.resources applied, and gone afterwards.
#include <gtest/gtest.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {
namespace fs = std::filesystem;

// The host's layout, as the tests see it from outside: a controller is on v1 when
// /proc/self/cgroup names it; otherwise it is on the v2 hierarchy (/sys/fs/cgroup on a unified
// host, /sys/fs/cgroup/unified on a hybrid one).
bool on_v1(const std::string& controller) {
  std::istringstream lines(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string names = line.substr(first + 1, second - first - 1);
    if (("," + names + ",").find("," + controller + ",") != std::string::npos) return true;
  }
  return false;
}

std::string v2_mount() {
  struct statfs st {};
  if (::statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    return "/sys/fs/cgroup";
  return "/sys/fs/cgroup/unified";
}

bool has_cgroup2_mount() {
  struct statfs st {};
  return ::statfs(v2_mount().c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC;
}

// The cgroup of PID for `controller` from /proc/PID/cgroup: the v1 line naming it, or the v2
// line ("0::PATH") when no v1 hierarchy has it.
std::string cgroup_of(const std::string& pid, const std::string& controller) {
  std::istringstream lines(read_text("/proc/" + pid + "/cgroup"));
  std::string v2;
  for (std::string line; std::getline(lines, line);) {
    size_t first = line.find(':'), second = line.find(':', first + 1);
    std::string names = line.substr(first + 1, second - first - 1);
    if (("," + names + ",").find("," + controller + ",") != std::string::npos)
      return line.substr(second + 1);
    if (line.starts_with("0::")) v2 = line.substr(3);
  }
  return v2;
}

// The cgroup and cgroup2 mounts below /sys/fs/cgroup in this mount namespace (on a hybrid host
// with the cgroup2 mount hidden, /proc/self/cgroup still has its "0::" line).
std::vector<std::string> cgroup_mount_types() {
  std::vector<std::string> types;
  std::istringstream lines(read_text("/proc/self/mountinfo"));
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point;
    fields >> id >> parent >> dev >> root >> point;
    std::string type = line.substr(line.find(" - ") + 3);
    type = type.substr(0, type.find(' '));
    if (point.starts_with("/sys/fs/cgroup") && type.starts_with("cgroup")) types.push_back(type);
  }
  return types;
}
int mounted_hierarchies() { return static_cast<int>(cgroup_mount_types().size()); }
bool cgroup2_mounted() {
  auto types = cgroup_mount_types();
  return std::find(types.begin(), types.end(), "cgroup2") != types.end();
}

// The host directory of PID's cgroup for `controller`.
std::string cgroup_dir(const std::string& pid, const std::string& controller) {
  std::string path = cgroup_of(pid, controller);
  return (on_v1(controller) ? "/sys/fs/cgroup/" + controller : v2_mount()) +
         (path == "/" ? "" : path);
}

TEST(Cgroups, CreatedAtTheRelativePathWithResourcesAndRemoved) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 42}};
  bundle.config()["linux"]["resources"]["memory"] = {{"limit", 64 * 1024 * 1024}};
  bundle.shell("cat /proc/self/cgroup; echo ready; exec sleep 30");
  std::string pid_file = bundle.dir() + "/pid";
  Running running = bundle.start({"--pid-file", pid_file});
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  std::string pid = read_text(pid_file);
  std::string own_pids = cgroup_of("self", "pids");
  std::string pids = cgroup_of(pid, "pids");
  EXPECT_EQ(pids, (own_pids == "/" ? "" : own_pids) + "/" + bundle.cgroup_name());
  EXPECT_EQ(read_text(cgroup_dir(pid, "pids") + "/pids.max"), "42\n");
  std::string memory = cgroup_of(pid, "memory");
  EXPECT_EQ(memory.substr(memory.rfind('/') + 1), bundle.cgroup_name());
  EXPECT_EQ(read_text(cgroup_dir(pid, "memory") +
                      (on_v1("memory") ? "/memory.limit_in_bytes" : "/memory.max")),
            "67108864\n");
  // Without a cgroup namespace the container sees the same path.
  EXPECT_NE(running.out().find(bundle.cgroup_name()), std::string::npos) << running.out();
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait().exit_code, 128 + SIGTERM);
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, OwnCgroupAtSysFsCgroupWithoutANamespace) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 7}};
  bundle.config()["linux"]["resources"]["memory"] = {{"limit", 64 * 1024 * 1024}};
  // As under runc: the container's own directory of each hierarchy, not launch's caller's.
  bundle.shell(on_v1("pids") ? "cat /sys/fs/cgroup/pids/pids.max" : "cat /sys/fs/cgroup/pids.max");
  RunResult pids = bundle.run();
  bundle.shell(on_v1("memory") ? "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"
                               : "cat /sys/fs/cgroup/memory.max");
  RunResult memory = bundle.run();
  EXPECT_EQ(pids.exit_code, 0) << pids.err;
  EXPECT_EQ(memory.exit_code, 0) << memory.err;
  EXPECT_EQ(pids.out + memory.out, "7\n67108864\n");
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, PidsLimitHoldsInside) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 5}};
  // husk, sh and four sleeps fill it: the sixth fork fails.
  const std::string file =
      on_v1("pids") ? "/sys/fs/cgroup/pids/pids.max" : "/sys/fs/cgroup/pids.max";
  bundle.shell("cat " + file + "; for i in 1 2 3 4 5 6; do sleep 1 & done; wait");
  bundle.set_namespace("cgroup");
  RunResult result = bundle.run();
  EXPECT_EQ(result.out, "5\n") << result.err;
  EXPECT_NE(result.err.find("can't fork: Resource temporarily unavailable"), std::string::npos)
      << result.err;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, CgroupNamespaceRootIsTheContainersCgroup) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.set_namespace("cgroup");
  bundle.shell("cat /proc/self/cgroup");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  // Every line, v1 or v2, says the root of its hierarchy.
  std::istringstream lines(result.out);
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count) {
    EXPECT_TRUE(line.ends_with(":/")) << line;
  }
  EXPECT_GT(count, 0);
  if (on_v1("pids")) {
    EXPECT_NE(result.out.find(":pids:/\n"), std::string::npos) << result.out;
  } else {
    EXPECT_NE(result.out.find("0::/\n"), std::string::npos) << result.out;
  }
  EXPECT_EQ(bundle.leftovers(), "");
}

// What the container sees at /sys/fs/cgroup, from inside: every hierarchy mounted there is its
// own cgroup (the root of its cgroup namespace, or its own directory bound), its limits read
// back as configured, and the files cannot be written. Without the cgroup namespace this is
// the case the start-up overlap (moving the child into its cgroup while it mounts) broke.
void expect_own_cgroups_inside(bool cgroup_ns) {
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 77}};
  bundle.config()["linux"]["resources"]["memory"] = {{"limit", 48 * 1024 * 1024}};
  if (cgroup_ns) bundle.set_namespace("cgroup");
  bundle.shell(
      // Each cgroup or cgroup2 mount below /sys/fs/cgroup: the root it shows.
      "awk '$5 ~ \"^/sys/fs/cgroup\" { i = 7; while ($i != \"-\") i++;"
      " if ($(i + 1) ~ /^cgroup/) print \"mount\", $4 }' /proc/self/mountinfo;"
      "sed 's/^[0-9]*:\\([^:]*\\):/cgroup \\1 /' /proc/self/cgroup;"
      "p=/sys/fs/cgroup/pids; [ -d $p ] || p=/sys/fs/cgroup;"
      "m=/sys/fs/cgroup/memory/memory.limit_in_bytes; [ -e $m ] || m=/sys/fs/cgroup/memory.max;"
      "echo procs $(wc -l < $p/cgroup.procs);"
      "echo pids.max $(cat $p/pids.max);"
      "echo memory.limit $(cat $m);"
      "echo 1 > $p/pids.max 2>/dev/null && echo wrote pids.max;"
      "echo $$ > $p/../cgroup.procs 2>/dev/null && echo moved;"
      "echo $$ > $p/cgroup.procs 2>/dev/null && echo joined; true");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::string expected_root = cgroup_ns ? "/" : "";
  int mounts = 0, cgroups = 0;
  std::istringstream lines(result.out);
  for (std::string line; std::getline(lines, line);) {
    std::string word = line.substr(0, line.find(' '));
    std::string value = line.substr(line.find(' ') + 1);
    if (word == "cgroup") {  // "cgroup CONTROLLERS PATH"; no controllers: the cgroup2 line
      std::string controllers = value.substr(0, value.find(' '));
      value = value.substr(value.find(' ') + 1);
      if (controllers.empty() && !cgroup2_mounted()) continue;  // a hierarchy nobody mounted
    }
    if (word == "mount" || word == "cgroup") {
      (word == "mount" ? mounts : cgroups)++;
      if (cgroup_ns) {
        EXPECT_EQ(value, "/") << line << "\n" << result.out;
      } else {
        EXPECT_TRUE(value.ends_with("/" + bundle.cgroup_name())) << line << "\n" << result.out;
      }
    } else if (word == "procs") {
      // husk, sh and the subshell: only the container's processes (others read as nothing).
      EXPECT_LE(std::stoi(value), 4) << result.out;
    }
  }
  // Every hierarchy mounted on this host is mounted in the container, and is its own.
  const int hierarchies = mounted_hierarchies();
  EXPECT_EQ(mounts, hierarchies) << result.out;
  EXPECT_EQ(cgroups, hierarchies) << result.out;
  EXPECT_NE(result.out.find("pids.max 77\n"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("memory.limit 50331648\n"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("wrote"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("moved"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("joined"), std::string::npos) << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

// Lines of a /proc/PID/cgroup text that are not the container's own cgroup: each v1 hierarchy's,
// and the cgroup2 line where cgroup2 is mounted, must end with the bundle's cgroup name.
std::string foreign_cgroup_lines(const std::string& proc_cgroup, const Bundle& bundle) {
  std::string foreign;
  int own = 0;
  std::istringstream lines(proc_cgroup);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("0::") && !cgroup2_mounted()) continue;  // a hierarchy nobody mounted
    if (line.ends_with("/" + bundle.cgroup_name())) {
      ++own;
    } else {
      foreign += line + "\n";
    }
  }
  return own == mounted_hierarchies() ? foreign : foreign + "(" + std::to_string(own) + " own)";
}

// The child joins its cgroup itself, first thing (and clone3 places it in the v2 one): a created
// container's held process and an exec'd process are in the container's cgroup on every
// hierarchy, the pids limit counts them.
TEST(Cgroups, ACreatedContainerAndAnExecdProcessAreInTheirCgroupOnEveryHierarchy) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 9}};
  bundle.shell("exec sleep 30");
  bundle.write_config();
  const std::string id = "cg-" + bundle.cgroup_name();
  const std::string root = bundle.state_root(), pid_file = bundle.dir() + "/pid";
  RunResult created = Bundle::run_launch(
      {"--root", root, "create", "--bundle", bundle.dir(), "--pid-file", pid_file, id});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  const std::string pid = read_text(pid_file);
  EXPECT_EQ(foreign_cgroup_lines(read_text("/proc/" + pid + "/cgroup"), bundle), "");
  RunResult started = Bundle::run_launch({"--root", root, "start", id});
  EXPECT_EQ(started.exit_code, 0) << started.err;
  RunResult exec = Bundle::run_launch(
      {"--root", root, "exec", id, "sh", "-c",
       "cat /proc/self/cgroup; wc -l < "
       "/sys/fs/cgroup/pids/cgroup.procs 2>/dev/null || wc -l < /sys/fs/cgroup/cgroup.procs"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  const std::string procs = exec.out.substr(exec.out.rfind('\n', exec.out.size() - 2) + 1);
  EXPECT_EQ(foreign_cgroup_lines(exec.out.substr(0, exec.out.size() - procs.size()), bundle), "")
      << exec.out;
  // husk, sleep, the exec'd sh and its wc
  if (on_v1("pids")) {
    EXPECT_EQ(procs, "4\n") << exec.out;
  }
  EXPECT_EQ(Bundle::run_launch({"--root", root, "delete", "--force", id}).exit_code, 0);
  EXPECT_EQ(bundle.leftovers(), "");
}

// A foreground container that needs nothing from launch goes from clone to exec without waiting
// for it (spawn.h): from inside, its process is in its own cgroup on every hierarchy and in
// namespaces of its own, and the pids controller counts it and its children (husk, sh, cat).
TEST(Cgroups, AForegroundContainerIsInItsCgroupAndItsOwnNamespaces) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  bundle.config()["linux"]["resources"]["pids"] = {{"limit", 9}};
  const std::vector<std::string> kinds = {"net", "ipc", "uts", "mnt", "pid"};
  std::string script = "cat /proc/self/cgroup; echo ---;";
  for (const std::string& kind : kinds) script += " readlink /proc/self/ns/" + kind + ";";
  script +=
      " echo ---; cat /sys/fs/cgroup/pids/pids.current 2>/dev/null ||"
      " cat /sys/fs/cgroup/pids.current; true";  // not the last command: sh forks cat
  bundle.shell(script);
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  const size_t first = result.out.find("---\n"), second = result.out.find("---\n", first + 4);
  ASSERT_NE(second, std::string::npos) << result.out;
  EXPECT_EQ(foreign_cgroup_lines(result.out.substr(0, first), bundle), "") << result.out;
  std::istringstream links(result.out.substr(first + 4, second - first - 4));
  for (const std::string& kind : kinds) {
    std::string inside;
    std::getline(links, inside);
    EXPECT_NE(inside, fs::read_symlink("/proc/self/ns/" + kind).string()) << kind;
    EXPECT_TRUE(inside.starts_with(kind + ":[")) << inside;
  }
  EXPECT_EQ(result.out.substr(second + 4), "3\n") << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

TEST(Cgroups, TheContainerSeesOnlyItsOwnCgroupsReadOnly) {
  HUSK_E2E_REQUIRE_ROOT();
  expect_own_cgroups_inside(false);
}

TEST(Cgroups, InACgroupNamespaceTheContainerSeesOnlyItsOwnCgroupsReadOnly) {
  HUSK_E2E_REQUIRE_ROOT();
  expect_own_cgroups_inside(true);
}

// A "cgroup2" entry without a cgroup namespace is the container's own cgroup2 directory too,
// not the root of the host's hierarchy.
TEST(Cgroups, ACgroup2MountShowsTheContainersOwnCgroup) {
  HUSK_E2E_REQUIRE_ROOT();
  if (!cgroup2_mounted()) GTEST_SKIP() << "no cgroup2 hierarchy is mounted here";
  Bundle bundle;
  bundle.config()["mounts"].push_back({{"destination", "/mnt/c2"},
                                       {"type", "cgroup2"},
                                       {"source", "cgroup2"},
                                       {"options", {"nosuid", "noexec", "nodev", "ro"}}});
  bundle.shell(
      "awk '$5 == \"/mnt/c2\" { print $4 }' /proc/self/mountinfo;"
      "echo $$ > /mnt/c2/cgroup.procs 2>/dev/null && echo joined; true");
  RunResult result = bundle.run();
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_TRUE(result.out.ends_with("/" + bundle.cgroup_name() + "\n")) << result.out;
  EXPECT_EQ(result.out.find("joined"), std::string::npos) << result.out;
  EXPECT_EQ(bundle.leftovers(), "");
}

// The directory a relative cgroupsPath `name` names in one hierarchy of this host (pids on v1
// and hybrid hosts, the cgroup2 one on a v2 host), below the test's own cgroup as launch puts it.
std::string cgroup_dir_for(const std::string& name) {
  return cgroup_dir("self", "pids") + "/" + name;
}

// A cgroup that launch did not create and that has a process in it is refused, and neither the
// process nor the directory is touched.
TEST(Cgroups, APopulatedCgroupLaunchDidNotCreateIsRefusedAndLeftAlone) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle bundle;
  std::string victim = cgroup_dir_for(bundle.cgroup_name());
  ASSERT_FALSE(victim.empty());
  ASSERT_EQ(::mkdir(victim.c_str(), 0755), 0) << victim;
  pid_t sleeper = ::fork();
  if (sleeper == 0) {
    ::execl("/bin/sleep", "sleep", "30", nullptr);
    ::_exit(127);
  }
  {
    std::ofstream procs(victim + "/cgroup.procs");
    procs << sleeper << std::endl;
  }
  bundle.shell("echo ran");
  RunResult result = bundle.run();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("linux.cgroupsPath: the cgroup " + victim +
                            " exists and has processes in it (1)"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_EQ(::kill(sleeper, 0), 0) << "the foreign process was killed";
  EXPECT_NE(read_text(victim + "/cgroup.procs").find(std::to_string(sleeper)), std::string::npos);
  ::kill(sleeper, SIGKILL);
  ::waitpid(sleeper, nullptr, 0);
  EXPECT_EQ(::rmdir(victim.c_str()), 0) << "the foreign cgroup was removed";
  EXPECT_EQ(bundle.leftovers(), "");
}

// Without linux.cgroupsPath a container's cgroup is /ID in every hierarchy (at the root, where a
// cgroup v2 can take controllers whatever cgroup launch runs in): two containers at once, each
// in its own, read from /proc/PID/cgroup, and nothing of either left afterwards (no parent made
// for them). A /husk that an older launch left is not touched.
TEST(Cgroups, TheDefaultCgroupIsSlashIdWithNoSharedParent) {
  HUSK_E2E_REQUIRE_ROOT();
  std::vector<std::string> mounts;
  for (const auto& entry : fs::directory_iterator("/sys/fs/cgroup"))
    if (entry.is_directory()) mounts.push_back(entry.path().string());
  mounts.push_back("/sys/fs/cgroup");
  std::vector<std::string> had_husk;
  for (const std::string& mount : mounts)
    if (fs::exists(mount + "/husk")) had_husk.push_back(mount + "/husk");
  Bundle first, second;
  std::vector<Running> running;
  for (Bundle* bundle : {&first, &second}) {
    bundle->config()["linux"].erase("cgroupsPath");
    bundle->shell("echo ready; exec sleep 30");
    bundle->write_config();
    running.push_back(Bundle::start_launch({"--root", bundle->state_root(), "run", "--pid-file",
                                            bundle->dir() + "/pid", "--bundle", bundle->dir(),
                                            bundle->cgroup_name()}));
  }
  for (size_t i = 0; i < 2; ++i) {
    const Bundle& bundle = i == 0 ? first : second;
    ASSERT_TRUE(running[i].wait_for_output("ready\n"));
    const std::string pid = read_text(bundle.dir() + "/pid");
    std::istringstream lines(read_text("/proc/" + pid + "/cgroup"));
    int moved = 0;
    for (std::string line; std::getline(lines, line);) {
      // cgroup2 unmounted (the pure v1 layout): launch makes nothing there.
      if (line.starts_with("0::") && !has_cgroup2_mount()) continue;
      EXPECT_EQ(line.substr(line.rfind(':') + 1), "/" + bundle.cgroup_name()) << line;
      ++moved;
    }
    EXPECT_GT(moved, 0);
  }
  for (Running& run : running) {
    run.signal(SIGTERM);
    EXPECT_EQ(run.wait().exit_code, 128 + SIGTERM);
  }
  EXPECT_EQ(first.leftovers(), "");
  EXPECT_EQ(second.leftovers(), "");
  for (const std::string& husk : had_husk) EXPECT_TRUE(fs::exists(husk)) << husk;
}

// Two containers naming one cgroupsPath: the second is refused, the first runs on untouched.
TEST(Cgroups, ASecondContainerInTheSameCgroupIsRefused) {
  HUSK_E2E_REQUIRE_ROOT();
  Bundle first;
  first.shell("echo ready; exec sleep 30");
  Running running = first.start();
  ASSERT_TRUE(running.wait_for_output("ready\n"));
  Bundle second;
  second.config()["linux"]["cgroupsPath"] = first.cgroup_name();
  second.shell("echo ran");
  RunResult refused = second.run();
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("exists and has processes in it"), std::string::npos) << refused.err;
  EXPECT_EQ(::kill(running.pid(), 0), 0);
  running.signal(SIGTERM);
  EXPECT_EQ(running.wait().exit_code, 128 + SIGTERM);  // the first ends as it was told to
  EXPECT_EQ(first.leftovers(), "");
  EXPECT_EQ(second.leftovers(), "");
}

}  // namespace
}  // namespace husk::e2e
