// The services husk supervises, gathered before anything starts: from a directory (-S DIR, one
// entry per service, started in name order), from --service NAME=CMD, and the main command
// given after the options; then --set NAME:KEY=VALUE. Every problem is one line naming the
// service. A fixed table of kMaxServices; nothing is allocated.
#pragma once

#include <new>
#include <string_view>

#include "log.h"
#include "service_spec.h"

namespace husk {

// Trivially constructible: a static table is zero bytes in .bss that no start-up code writes, so
// only the slots in use are ever touched. Elsewhere, value-initialize it (ServiceTable{}).
class ServiceTable {
 public:
  int size() const { return count_; }
  ServiceSpec& operator[](int i) {
    return *std::launder(reinterpret_cast<ServiceSpec*>(slots_[i].spec));
  }
  const ServiceSpec& operator[](int i) const {
    return *std::launder(reinterpret_cast<const ServiceSpec*>(slots_[i].spec));
  }
  // Room beside each spec for the supervisor's state of that service, zero until used: the
  // pages that a table of a few services touches hold their state too.
  static constexpr std::size_t kStateSize = 80;
  void* state(int i) { return slots_[i].state; }
  const void* state(int i) const { return slots_[i].state; }
  // The index of the service called `name`, or -1.
  int find(std::string_view name) const;

  // Each entry of `dir` not starting with '.': a directory holding an executable `run` and
  // optionally a `config` file, or an executable file. Added in name order.
  bool load_directory(const char* dir, Message& error);
  // "NAME=COMMAND ARGS": split on blanks, or run by /bin/sh when it holds shell syntax.
  bool add_command(std::string_view definition, Message& error);
  // The command after the options, as the main service "main" (unless one is already main).
  bool add_main_command(char* const* argv, Message& error);
  // "NAME:KEY=VALUE".
  bool apply_setting(std::string_view setting, Message& error);
  // Checks the whole table (two main services, ready-fd with ready-file) and sets the default
  // stop grace. Call once, after every add.
  bool finish(int default_grace_ms, Message& error);
  // --log-prefix: log-prefix=yes for every service whose settings do not say otherwise.
  void prefix_output_by_default();

 private:
  ServiceSpec* add(std::string_view name, Message& error);
  bool add_directory_entry(int dir_fd, const char* dir, const char* name, Message& error);
  void sort_from(int first);

  struct Slot {
    alignas(ServiceSpec) unsigned char spec[sizeof(ServiceSpec)];
    alignas(16) unsigned char state[kStateSize];
  };
  int count_;
  Slot slots_[kMaxServices];
};

}  // namespace husk
