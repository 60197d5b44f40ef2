#include "container/query.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <sstream>

#include "container/loaded.h"
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

Result<std::vector<pid_t>> container_processes(const Runtime& runtime, const std::string& id) {
  auto loaded = load(runtime, id, Lock::kNone);
  if (!loaded.ok()) return std::move(loaded).error();
  auto cgroup = open_cgroup(loaded->record);
  if (!cgroup.ok()) return std::move(cgroup).error();
  if (!*cgroup) return std::vector<pid_t>();
  return (*cgroup)->processes(true);
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
