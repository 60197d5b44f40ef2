// lifecycle: a container's life as the runtime spec has it. run() is create + start + wait +
// delete, the steps the split commands (create, start, delete) will call one by one:
//
//   create   config, state directory, cgroup, the child cloned into its namespaces and set up
//            up to exec, where it waits (prestart / createRuntime / createContainer hooks run)
//   start    releases the child: startContainer hooks, exec of husk (or process.args);
//            then poststart hooks
//            with process.terminal, the pty's master comes back from the child: it goes to
//            --console-socket, or launch's terminal is put in raw mode for wait to relay it
//   wait     forwards launch's signals to it until it exits (relaying the pty, if kept)
//   destroy  kills what is left in the cgroup, removes the cgroup and the state; poststop hooks
//
// A Container dropped on an error path kills its process and removes what it made.
#pragma once

#include <sys/types.h>

#include <memory>

#include "cli.h"
#include "error.h"
#include "logging.h"

namespace husk::launch {

class Container {
 public:
  static Result<Container> create(const GlobalOptions& global, const RunOptions& options,
                                  const Log& log);
  Container(Container&&) noexcept;
  Container& operator=(Container&&) = delete;
  ~Container();

  Status start();
  Result<int> wait();  // the exit code: the status, or 128+N for signal N
  Status destroy();

  pid_t pid() const;

 private:
  struct Impl;
  explicit Container(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// create, start, wait, destroy. Returns the container's exit code.
Result<int> run(const GlobalOptions& global, const RunOptions& options, const Log& log);

// --preserve-fds N: fds 3 .. 3+N-1 must be open (before launch opens any of its own).
Status check_preserved_fds(int count);

}  // namespace husk::launch
