// store: the state directory of one container, <root>/<id>/ (mode 0700), holding
//   state.json    the record (record.h), replaced atomically: written to a temporary file,
//                 then renamed over the old one
//   config.json   the bundle's config as create read it: hooks and exec read this copy
//   start.sock    while the container is created: the held process listens here for start
// Every command that reads or changes a container holds an exclusive flock on the directory
// for the time it does, so two commands on one container never interleave (two `start`s: the
// second finds it running). A StateDir made by create() and dropped without keep() removes the
// directory again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "error.h"
#include "state/record.h"
#include "unique_fd.h"

namespace husk::launch {

class StateDir {
 public:
  // Creates <root>/<id> (and root, mode 0700) and locks it. An existing one is
  // "container <id> already exists".
  static Result<StateDir> create(const std::string& root, const std::string& id);
  // Opens and locks an existing one: "container <id> does not exist" when there is none.
  static Result<StateDir> open(const std::string& root, const std::string& id);
  static bool exists(const std::string& root, const std::string& id);
  // The same without the lock, for commands that only read (state, list, ps).
  static Result<StateDir> open_unlocked(const std::string& root, const std::string& id);

  StateDir(StateDir&& other) noexcept;
  StateDir& operator=(StateDir&&) = delete;
  StateDir(const StateDir&) = delete;
  StateDir& operator=(const StateDir&) = delete;
  ~StateDir();

  Status write(const Record& record) const;
  Result<Record> read() const;
  bool has_record() const;

  // A file of the directory, written atomically (config.json).
  Status write_file(std::string_view name, std::string_view text) const;
  Result<std::string> read_file(std::string_view name) const;
  // A path that names a file of the directory and stays short (for AF_UNIX addresses):
  // /proc/self/fd/N/name.
  std::string short_path(std::string_view name) const;

  // The directory stays when this is dropped; the lock is released.
  void keep() { remove_on_drop_ = false; }
  // Drops the lock; the StateDir stays usable for reads and writes.
  void unlock();
  // For a StateDir opened without the lock: whether another command holds it now (a create
  // still at work, say). Takes and drops a shared lock when nobody does.
  bool locked_elsewhere() const;
  // Removes the directory and what it holds. Idempotent.
  Status remove();

  const std::string& path() const { return path_; }
  const std::string& id() const { return id_; }
  int lock_fd() const { return fd_.get(); }  // the child of create closes its copy

 private:
  StateDir(std::string path, std::string id, UniqueFd fd, bool remove_on_drop)
      : path_(std::move(path)),
        id_(std::move(id)),
        fd_(std::move(fd)),
        remove_on_drop_(remove_on_drop) {}
  static Result<StateDir> open_dir(const std::string& root, const std::string& id, bool lock);
  std::string path_;
  std::string id_;
  UniqueFd fd_;  // the directory (O_DIRECTORY), flocked
  bool remove_on_drop_ = false;
};

// The IDs below `root` (sorted); none when it does not exist.
Result<std::vector<std::string>> list_ids(const std::string& root);

}  // namespace husk::launch
