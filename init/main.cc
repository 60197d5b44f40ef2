// husk: a static PID 1 for containers. Reads top to bottom: take over the signals, parse the
// options, become a subreaper when not PID 1, start the child, supervise it, exit with its status.
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <new>

#include "child.h"
#include "control.h"
#include "exit_status.h"
#include "log.h"
#include "options.h"
#include "service_supervisor.h"
#include "service_table.h"
#include "signal_state.h"
#include "supervisor.h"

#ifndef HUSK_VERSION
#define HUSK_VERSION "unknown"
#endif

namespace husk {
namespace {

// pdeathsig: delivered to husk (blocked, so it is forwarded like any other signal). If the parent
// died before the prctl, nothing would come: raise it then.
void set_parent_death_signal(int sig, pid_t parent, const Log& log) {
  if (sig == 0) return;
  if (prctl(PR_SET_PDEATHSIG, sig) != 0) {
    HUSK_LOG(log, kWarning, "cannot set the parent death signal: " << std::strerror(errno));
  } else if (getppid() != parent) {
    kill(getpid(), sig);
  }
}

void become_subreaper(const Options& options, bool pid1, const Log& log) {
  if (pid1 && !options.subreaper) return;
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    HUSK_LOG(log, kWarning,
             "not PID 1 and cannot register as child subreaper: "
                 << std::strerror(errno) << "; orphans will not be reaped");
  } else if (!pid1) {
    HUSK_LOG(log, kInfo, "not PID 1 (pid " << getpid() << "): registered as child subreaper");
  }
}

const char* exec_reason(const SpawnResult& spawn, const char* command) {
  struct stat st {};
  if (spawn.error == EACCES && std::strchr(command, '/') != nullptr && stat(command, &st) == 0 &&
      S_ISDIR(st.st_mode)) {
    return "Is a directory";
  }
  return std::strerror(spawn.error);
}

// Every service, checked whole before any starts: the first problem is one line.
bool gather_services(const Options& options, ServiceTable& table, Message& error) {
  if (options.service_dir != nullptr && !table.load_directory(options.service_dir, error)) {
    return false;
  }
  for (int i = 0; i < options.service_count; ++i) {
    if (!table.add_command(options.services[i], error)) return false;
  }
  if (options.command != nullptr && !table.add_main_command(options.command, error)) return false;
  for (int i = 0; i < options.setting_count; ++i) {
    if (!table.apply_setting(options.settings[i], error)) return false;
  }
  if (options.log_prefix) table.prefix_output_by_default();
  return table.finish(options.grace_ms, error);
}

// Not inlined, like run_services and run: the stack under the supervision stays small (a
// Message is 480 bytes; a page of stack, once touched, counts as long as husk runs).
[[gnu::noinline]] bool load_services(const Options& options, ServiceTable& table, const Log& log) {
  Message error;
  if (gather_services(options, table, error)) return true;
  log.write(Level::kError, error);
  return false;
}

// husk's two big objects: static, zero until used, rather than on the stack (where they would
// push every later frame below them, onto pages of their own, for as long as husk runs). In
// .lbss, which the linker places after .bss (and so after libc's few words of it), and before
// the supervisor's output storage: .data, libc's .bss, the options and the specs and states of
// the first services share two pages.
struct Storage {
  alignas(ParseResult) unsigned char options[sizeof(ParseResult)];
  ServiceTable table;
};

Storage& storage() {
  [[gnu::section(".lbss")]] static Storage storage;
  return storage;
}

[[gnu::noinline]] int run_services(const Options& options, const Log& log,
                                   const SignalState& original, pid_t parent) {
  ServiceTable& table = storage().table;
  if (!load_services(options, table, log)) return kExitUsage;
  const bool pid1 = getpid() == 1;
  set_parent_death_signal(options.pdeathsig, parent, log);
  become_subreaper(options, pid1, log);
  // husk keeps its directory here: every service, restarted ones too, starts in it.
  return supervise_services(options, log, table, original, pid1);
}

[[gnu::noinline]] int run(const Options& options, const Log& log, const SignalState& original,
                          pid_t parent) {
  const bool pid1 = getpid() == 1;
  set_parent_death_signal(options.pdeathsig, parent, log);
  become_subreaper(options, pid1, log);

  pid_t child = 0;
  if (!options.pause) {
    SpawnResult spawn = spawn_child(options.command, original);
    if (spawn.error != 0) {
      HUSK_LOG(
          log, kError,
          "cannot run '" << options.command[0] << "': " << (spawn.pid < 0 ? spawn.failed_step : "")
                         << (spawn.pid < 0 ? ": " : "") << exec_reason(spawn, options.command[0]));
      if (spawn.pid < 0) return kExitExecFailed;
      int status = 0;
      while (waitpid(spawn.pid, &status, 0) < 0 && errno == EINTR) {
      }
      return exit_code_from_wait_status(status);
    }
    child = spawn.pid;
    HUSK_LOG(log, kInfo, "started '" << options.command[0] << "' as pid " << child);
  }
  if (chdir("/") != 0) HUSK_LOG(log, kDebug, "chdir /: " << std::strerror(errno));
  return supervise(options, log, child, pid1);
}

// HUSK_SIGNAL_MASK is launch's word to husk alone: the child gets the environment without it.
void remove_signal_mask_variable(char** envp) {
  constexpr char kName[] = "HUSK_SIGNAL_MASK=";
  char** out = envp;
  for (char** e = envp; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, kName, sizeof kName - 1) != 0) *out++ = *e;
  }
  if (out != nullptr) *out = nullptr;
}

}  // namespace
}  // namespace husk

int main(int argc, char** argv, char** envp) {
  using husk::Action;
  // First of all, so that no signal sent from now on is lost or acted on by default.
  const husk::SignalState original = husk::take_over_signals();
  const pid_t parent = getppid();
  if (argc > 1 && std::strcmp(argv[1], "ctl") == 0) {  // `husk -- ctl` still runs a command "ctl"
    const char* path = getenv("HUSK_CONTROL");
    return husk::run_control_client(argc - 2, argv + 2, path ? path : husk::kDefaultControlPath);
  }

  // Built in place (parse_options returns its one named result): no copy on the stack.
  husk::ParseResult& parsed =
      *new (husk::storage().options) husk::ParseResult(husk::parse_options(argc, argv, envp));
  switch (parsed.action) {
    case Action::kHelp:
      husk::write_all(STDOUT_FILENO, husk::kUsageText);
      return 0;
    case Action::kVersion:
      husk::write_all(STDOUT_FILENO, "husk " HUSK_VERSION "\n");
      return 0;
    case Action::kLicense:
      husk::write_all(STDOUT_FILENO, husk::kLicenseText);
      return 0;
    case Action::kUsage:
      husk::write_all(STDERR_FILENO, husk::kUsageText);
      return husk::kExitUsage;
    case Action::kError:
      husk::Log(0).write(husk::Level::kError, parsed.error);
      return husk::kExitUsage;
    case Action::kRun:
      break;
  }
  const husk::Log log(parsed.options.verbosity);
  husk::SignalState for_child = original;
  if (parsed.options.has_signal_mask) for_child.mask = parsed.options.signal_mask;
  husk::remove_signal_mask_variable(envp);
  if (parsed.options.supervises_services()) {
    return husk::run_services(parsed.options, log, for_child, parent);
  }
  return husk::run(parsed.options, log, for_child, parent);
}
