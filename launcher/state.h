// state: the container's state as the runtime spec defines it (what `state` prints and what
// hooks read on stdin), and its directory <root>/<id>/ holding state.json. The directory is
// removed on delete; a StateDir that is dropped without release() removes it too.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <string_view>

#include "error.h"

namespace husk::launch {

enum class ContainerStatus { kCreating, kCreated, kRunning, kStopped };

std::string_view status_name(ContainerStatus status);  // "creating", ...

struct State {
  std::string oci_version;
  std::string id;
  ContainerStatus status = ContainerStatus::kCreating;
  pid_t pid = 0;       // 0: no process (yet, or any more)
  std::string bundle;  // absolute
  std::map<std::string, std::string> annotations;
};

// The state as JSON, one line: {"ociVersion":...,"id":...,"status":...,"pid":...,"bundle":...}.
std::string state_json(const State& state);

// An ID is non-empty, at most 1024 bytes, of [A-Za-z0-9_.+-], and not "." or "..".
Status validate_id(std::string_view id);

class StateDir {
 public:
  // Creates <root>/<id> (and root, mode 0700). An existing one is "container <id> already exists".
  static Result<StateDir> create(const std::string& root, const std::string& id);

  StateDir(StateDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  StateDir& operator=(StateDir&&) = delete;
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;
  ~StateDir() { (void)remove(); }

  // Writes state.json (a temporary file renamed over it).
  Status write(const State& state) const;

  // Removes the directory and what it holds. Idempotent.
  Status remove();

  const std::string& path() const { return path_; }

 private:
  explicit StateDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

}  // namespace husk::launch
