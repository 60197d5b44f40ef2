// lifecycle: a container being made by this process. Container::create() does the work of
// `launch create` (and of the foreground run's first half):
//
//   create   config, state directory (record "creating", with the cgroup's paths before the
//            cgroup exists, so a killed launch leaves what `delete --force` needs), cgroup, the
//            child cloned into its namespaces and set up up to exec, where it waits
//            (prestart / createRuntime / createContainer hooks run); record "created"
//
// Then either release() (`launch create`: the child waits for `launch start` on the state
// directory's start.sock, this process exits) or, in the foreground:
//
//   start    releases the child over the channel: startContainer hooks, exec of husk (or
//            process.args); then poststart hooks. (A foreground child that needs nothing from
//            launch on the way, spawn.h's round trips, is not held: start waits for its exec.) With
//            process.terminal, the pty's master came from the child: it went to --console-socket,
//            or launch's terminal is in raw mode for wait to relay it
//   wait     forwards launch's signals to it until it exits (relaying the pty, if kept)
//   destroy  kills what is left in the cgroup, removes the cgroup and the state; poststop hooks
//
// A Container dropped on an error path kills its process and removes what it made.
#pragma once

#include <sys/types.h>

#include <memory>

#include "container/create.h"
#include "error.h"

namespace husk::launch {

class Container {
 public:
  enum class Mode {
    kForeground,  // this launch starts, waits for and deletes it; parent-death signal kept
    kHeld,        // `launch create`: held for `launch start` from another process
  };
  static Result<Container> create(const Runtime& runtime, const CreateOptions& options, Mode mode);
  Container(Container&&) noexcept;
  Container& operator=(Container&&) = delete;
  ~Container();

  // kHeld: leaves the container to later commands. Fails (and cleans up) when launch was asked
  // to stop (SIGTERM, SIGINT, SIGHUP) while it created it.
  Status release();

  Status start();
  Result<int> wait();  // the exit code: the status, or 128+N for signal N
  Status destroy();

  pid_t pid() const;
  const std::string& id() const;

 private:
  struct Impl;
  explicit Container(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace husk::launch
