#include "container/query.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "container/loaded.h"
#include "container/namespace_processes.h"
#include "read_file.h"
#include "unique_fd.h"

namespace husk::launch {

Result<State> query_state(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id, Lock::kNone);
  if (!loaded.ok()) return std::move(loaded).error();
  return loaded->state();
}

Result<std::vector<ListEntry>> list_containers(const Runtime& runtime) {
  auto ids = list_ids(runtime.root);
  if (!ids.ok()) return std::move(ids).error();
  std::vector<ListEntry> entries;
  for (const std::string& id : *ids) {
    auto loaded = load(runtime, id, Lock::kNone);
    if (!loaded.ok()) continue;
    entries.push_back({loaded->state(), loaded->record.created_ns});
  }
  return entries;
}

namespace {

// The parent pid of /proc/PID/stat, 0 when it cannot be read.
pid_t parent_of(const std::string& pid) {
  std::string stat;
  if (auto text = oci::read_file("/proc/" + pid + "/stat"); text.ok()) stat = std::move(*text);
  size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 4 >= stat.size()) return 0;
  return static_cast<pid_t>(std::strtol(stat.c_str() + paren + 4, nullptr, 10));  // ") S PPID"
}

// A container without a cgroup (rootless): the processes of its pid namespace when it has one
// of its own (exec'd ones too), else its init and the init's descendants.
std::vector<pid_t> processes_without_cgroup(pid_t init) {
  const ino_t own = pid_namespace("self");
  const ino_t container = pid_namespace(std::to_string(init));
  const std::vector<pid_t> all = all_pids();
  std::vector<pid_t> found;
  if (container != 0 && container != own) {
    for (pid_t pid : all) {
      if (pid_namespace(std::to_string(pid)) == container) found.push_back(pid);
    }
    return found;
  }
  found.push_back(init);
  for (bool grew = true; grew;) {  // descendants, whatever order /proc lists them in
    grew = false;
    for (pid_t pid : all) {
      if (std::find(found.begin(), found.end(), pid) != found.end()) continue;
      pid_t parent = parent_of(std::to_string(pid));
      if (std::find(found.begin(), found.end(), parent) != found.end()) {
        found.push_back(pid);
        grew = true;
      }
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

Result<std::vector<pid_t>> container_processes(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id, Lock::kNone);
  if (!loaded.ok()) return std::move(loaded).error();
  auto cgroup = open_cgroup(loaded->record);
  if (!cgroup.ok()) return std::move(cgroup).error();
  if (*cgroup) return (*cgroup)->processes(true);
  if (!loaded->record.cgroup_paths.empty() || !alive(loaded->record.init()))
    return std::vector<pid_t>();
  return processes_without_cgroup(loaded->record.state.pid);
}

Result<std::string> ps_table(const Runtime& runtime, const std::string& id,
                             const std::vector<std::string>& ps_args) {
  auto pids = container_processes(runtime, id);
  if (!pids.ok()) return std::move(pids).error();
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Error::from_errno("ps: pipe");
  UniqueFd read_end(out[0]), write_end(out[1]);
  std::vector<std::string> args{"ps"};
  args.insert(args.end(), ps_args.begin(), ps_args.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t child = ::fork();
  if (child < 0) return Error::from_errno("ps: fork");
  if (child == 0) {
    ::dup2(write_end.get(), STDOUT_FILENO);
    ::execvp("ps", argv.data());
    ::_exit(127);
  }
  write_end.reset();
  std::string text;
  char buf[4096];
  for (ssize_t n; (n = ::read(read_end.get(), buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error("ps: `ps` with these arguments failed (status " +
                 std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : 128) + ")");
  std::istringstream lines(text);
  std::string header;
  std::getline(lines, header);
  std::istringstream columns(header);
  size_t pid_column = 0;
  bool found = false;
  for (std::string word; columns >> word; ++pid_column) {
    if (word == "PID") {
      found = true;
      break;
    }
  }
  if (!found) return Error("ps: the output of `ps` has no PID column");
  std::string table = header + "\n";
  for (std::string line; std::getline(lines, line);) {
    std::istringstream fields(line);
    std::string field;
    for (size_t i = 0; i <= pid_column && fields >> field; ++i) {
    }
    pid_t pid = static_cast<pid_t>(std::strtol(field.c_str(), nullptr, 10));
    if (std::binary_search(pids->begin(), pids->end(), pid)) table += line + "\n";
  }
  return table;
}

}  // namespace husk::launch
