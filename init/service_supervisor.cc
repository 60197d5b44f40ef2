#include "service_supervisor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <new>

#include "child.h"
#include "control.h"
#include "exit_status.h"
#include "service_output.h"
#include "shutdown.h"
#include "stack_trim.h"
#include "text.h"

namespace husk {
namespace {

constexpr int kReadyFilePollMs = 20;  // only while a ready-file is awaited

enum class State : std::uint8_t {
  kWaiting,  // not started yet (an earlier service is not ready)
  kRunning,
  kBackoff,   // ended; restarts when its delay is over
  kStopping,  // stop signal sent; SIGKILL at the end of its grace
  kStopped,   // stopped by husk ctl or by husk's own stop
  kDone,      // ended and not to be restarted
  kGivenUp,   // restarted too often within its window
};

constexpr std::string_view kStateNames[] = {"waiting", "running", "backoff", "stopping",
                                            "stopped", "done",    "given-up"};

struct ServiceRun {
  pid_t pid = 0;
  State state = State::kWaiting;
  bool ready = false;
  bool killed = false;              // SIGKILL sent while stopping
  bool restart_after_stop = false;  // husk ctl restart
  int ready_pipe = -1;              // read end of the ready-fd pipe, owned
  std::int64_t started_ms = 0;
  std::int64_t due_ms = -1;  // kBackoff: restart time; kStopping: SIGKILL time
  int restarts = 0;
  int window_restarts = 0;
  std::int64_t window_start_ms = 0;
  int delay_ms = 0;  // the last backoff delay; 0 after a long enough run
  int status = 0;    // last wait status
};

// A bounded text buffer for the replies to husk ctl.
class Reply {
 public:
  void add(std::string_view text) {
    std::size_t n = text.size() < kMaxControlReply - size_ ? text.size() : kMaxControlReply - size_;
    std::memcpy(buffer_ + size_, text.data(), n);
    size_ += n;
  }
  void add_padded(std::string_view text, std::size_t width) {
    add(text);
    for (std::size_t i = text.size(); i < width; ++i) add(" ");
  }
  std::string_view view() const { return {buffer_, size_}; }

 private:
  char buffer_[kMaxControlReply];
  std::size_t size_ = 0;
};

static_assert(sizeof(ServiceRun) <= ServiceTable::kStateSize && alignof(ServiceRun) <= 16);

// Per-service output storage, outside the supervisor so that it can be static: zero pages that
// only the services with log-prefix touch, rather than a stack that every later frame lies below.
struct OutputSlots {
  OutputPipes pipes[kMaxServices];
  OutputLines lines[kMaxServices];
};

class ServiceSupervisor {
 public:
  ServiceSupervisor(const Options& options, const Log& log, ServiceTable& table,
                    const SignalState& original, bool pid1, OutputSlots& slots)
      : options_(options),
        log_(log),
        table_(table),
        original_(original),
        pid1_(pid1),
        count_(table.size()),
        reaper_(&ServiceSupervisor::on_reaped, this),
        output_(log, table, slots.pipes, slots.lines) {
    for (int i = 0; i < count_; ++i) {
      new (table.state(i)) ServiceRun();  // only the states of the table's services are touched
      if (table_[i].main) main_ = i;
    }
  }

  int run() {
    open_control();
    const KernelSigset all = KernelSigset::all();
    for (;;) {
      advance_start();
      if (stopping_) advance_stop();
      if (finished()) break;
      std::int64_t deadline = next_deadline();
      timespec timeout{};  // zero while output is left to relay: a look at the signals only
      if (deadline >= 0 && !output_pending_) timeout = until(deadline);
      if (deadline < 0 && !output_pending_) stack_trim_.when_idle(now_ms());
      siginfo_t info{};
      int sig = wait_for_signal(all, &info, deadline >= 0 || output_pending_ ? &timeout : nullptr);
      if (sig > 0) handle_signal(sig, info);
      if (output_pending_) output_pending_ = output_.relay();
      handle_due(now_ms());
    }
    for (int i = 0; i < count_; ++i) {
      close_ready_pipe(run_at(i));
      output_.finish(i);
    }
    if (control_) unlink(options_.control_path);
    if (options_.shutdown_tree && reaper_.children_left()) {
      shut_down_tree(options_, log_, pid1_, reaper_, "services stopped");
    }
    return exit_code();
  }

 private:
  // --- starting -------------------------------------------------------------------------------

  // Starts the services in order; one that waits for readiness holds back the next ones.
  void advance_start() {
    while (!stopping_ && next_start_ < count_) {
      if (next_start_ > 0 && holds_back(next_start_ - 1)) return;
      const int i = next_start_++;
      if (run_at(i).state != State::kWaiting) continue;  // started or stopped by husk ctl
      if (table_[i].waits_for_readiness()) {
        ready_deadline_ms_ = now_ms() + table_[i].ready_timeout_ms;
        if (table_[i].ready_file[0] != '\0') unlink(table_[i].ready_file);
      } else {
        ready_deadline_ms_ = -1;
      }
      start(i);
    }
  }

  // Whether service i, not ready yet, holds back the later ones (not once husk ctl stopped it).
  bool holds_back(int i) const {
    return table_[i].waits_for_readiness() && !run_at(i).ready &&
           run_at(i).state != State::kStopped;
  }

  // The service whose readiness holds back the next ones, or -1.
  int awaited() const {
    if (stopping_ || next_start_ == 0 || next_start_ >= count_) return -1;
    return holds_back(next_start_ - 1) ? next_start_ - 1 : -1;
  }

  void start(int i) {
    const ServiceSpec& spec = table_[i];
    ServiceRun& run = run_at(i);
    ChildSetup setup;
    setup.take_terminal = false;
    int write_end = -1;
    close_ready_pipe(run);
    if (spec.ready_fd >= 0) {
      int fds[2];
      if (pipe2(fds, O_CLOEXEC) == 0) {  // the service's end stays blocking
        run.ready_pipe = fds[0];
        write_end = fds[1];
        fcntl(fds[0], F_SETOWN, getpid());
        fcntl(fds[0], F_SETSIG, SIGIO);
        fcntl(fds[0], F_SETFL, O_NONBLOCK | O_ASYNC);
        setup.ready_pipe = write_end;
        setup.ready_fd = spec.ready_fd;
      }
    }
    if (const int* output = output_.write_ends(i)) {
      setup.output_pipes[0] = output[0];
      setup.output_pipes[1] = output[1];
    }
    char* argv_storage[ServiceSpec::kArgvSize];
    char* const* argv = spec.exec_argv(argv_storage);
    SpawnResult spawn = spawn_child(argv, original_, setup);
    if (write_end >= 0) close(write_end);
    run.started_ms = now_ms();
    run.killed = false;
    if (spawn.error != 0) {
      report_spawn_failure(i, argv[0], spawn);
      if (spawn.pid < 0) {  // nothing to reap: it ends here
        run.state = State::kRunning;
        on_end(i, (kExitExecFailed & 0xff) << 8);
        return;
      }
    }
    run.pid = spawn.pid;
    run.state = State::kRunning;
    say(Level::kInfo, i, "' started as pid %", spawn.pid);
  }

  // Not inlined: its line is stack only while it is written.
  [[gnu::noinline]] void report_spawn_failure(int i, const char* command,
                                              const SpawnResult& spawn) const {
    HUSK_LOG(log_, kError,
             "service '" << table_[i].name << "': cannot run '" << command
                         << "': " << (spawn.pid < 0 ? spawn.failed_step : "")
                         << (spawn.pid < 0 ? ": " : "") << std::strerror(spawn.error));
  }

  // A log line "service 'NAME<format>", each '%' of `format` replaced by the next number.
  void say(Level level, int i, const char* format, long long a = 0, long long b = 0,
           long long c = 0) const {
    if (!log_.enabled(level)) return;
    const long long numbers[] = {a, b, c};
    int next = 0;
    Message line;
    line << "service '" << table_[i].name;
    for (const char* p = format; *p != '\0'; ++p) {
      if (*p == '%' && next < 3) {
        line << numbers[next++];
      } else {
        line << *p;
      }
    }
    log_.write(level, line);
  }

  void close_ready_pipe(ServiceRun& run) {
    if (run.ready_pipe >= 0) close(run.ready_pipe);
    run.ready_pipe = -1;
  }

  void mark_ready(int i) {
    if (run_at(i).ready) return;
    run_at(i).ready = true;
    say(Level::kInfo, i, "' is ready");
  }

  // Reads what the services wrote on their ready-fd: a newline means ready; EOF without one, not.
  void read_ready_pipes() {
    for (int i = 0; i < count_; ++i) {
      ServiceRun& run = run_at(i);
      while (run.ready_pipe >= 0) {
        char buffer[64];
        ssize_t n = read(run.ready_pipe, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;  // EAGAIN: nothing yet
        if (n == 0 || std::memchr(buffer, '\n', static_cast<std::size_t>(n)) != nullptr) {
          if (n > 0) mark_ready(i);
          close_ready_pipe(run);
        }
      }
    }
  }

  void fail_readiness(int i, std::string_view why) {
    HUSK_LOG(log_, kError, "service '" << table_[i].name << "': " << why);
    readiness_failed_ = true;
    stop_all();
  }

  // --- ending and restarting ------------------------------------------------------------------

  static void on_reaped(void* context, pid_t pid, int status) {
    auto& self = *static_cast<ServiceSupervisor*>(context);
    for (int i = 0; i < self.count_; ++i) {
      if (self.run_at(i).pid == pid) {
        self.run_at(i).pid = 0;
        self.on_end(i, status);
        return;
      }
    }
    if (self.options_.warn_on_reap) {
      HUSK_LOG(self.log_, kWarning, "reaped orphan " << pid);
    } else {
      HUSK_LOG(self.log_, kDebug, "reaped orphan " << pid);
    }
  }

  void on_end(int i, int status) {
    const ServiceSpec& spec = table_[i];
    ServiceRun& run = run_at(i);
    const int code = exit_code_from_wait_status(status);
    const bool failed = !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    run.status = status;
    if (spec.main) main_status_ = status;
    output_.finish(i);  // before the lines about its end
    if (run.state == State::kStopping || stopping_) {
      say(Level::kInfo, i, "' stopped (code %)", code);
      run.state = State::kStopped;
      if (run.restart_after_stop && !stopping_) {
        run.restart_after_stop = false;
        start(i);
      }
      return;
    }
    const Restart policy = spec.effective_restart();
    if (policy == Restart::kNever || (policy == Restart::kOnFailure && !failed)) {
      run.state = State::kDone;
      // The main service's end is the container's: its status speaks for it.
      say(failed && !spec.main ? Level::kWarning : Level::kInfo, i, "' exited with code %", code);
      if (failed && first_failure_ < 0) first_failure_ = status;
      if (spec.main) {
        say(Level::kInfo, i, "' was the main service: stopping the others");
        stop_all();
      } else if (i == awaited()) {
        fail_readiness(i, "ended before it was ready");
      }
      return;
    }

    const std::int64_t now = now_ms();
    if (now - run.started_ms >= spec.backoff_reset_ms) run.delay_ms = 0;
    if (run.window_restarts == 0 || now - run.window_start_ms > spec.restart_window_ms) {
      run.window_start_ms = now;
      run.window_restarts = 0;
    }
    if (spec.restart_limit > 0 && run.window_restarts >= spec.restart_limit) {
      run.state = State::kGivenUp;
      say(Level::kWarning, i, "' given up: exited with code % after % restarts within % ms", code,
          run.window_restarts, now - run.window_start_ms);
      if (first_failure_ < 0) first_failure_ = status;
      if (spec.stops_on_give_up()) {
        stop_all();
      } else if (i == awaited()) {
        fail_readiness(i, "given up before it was ready");
      }
      return;
    }
    std::int64_t delay = run.delay_ms == 0
                             ? spec.backoff_ms
                             : std::int64_t{run.delay_ms} * spec.backoff_factor_pct / 100;
    if (delay > spec.backoff_max_ms) delay = spec.backoff_max_ms;
    run.delay_ms = static_cast<int>(delay) > 0 ? static_cast<int>(delay) : 1;
    run.window_restarts++;
    run.restarts++;
    run.state = State::kBackoff;
    run.due_ms = now + delay;
    say(failed ? Level::kWarning : Level::kInfo, i, "' exited with code %: restart % in % ms", code,
        run.restarts, delay);
  }

  // --- stopping -------------------------------------------------------------------------------

  void stop_all() {
    if (stopping_) return;
    stopping_ = true;
    for (int i = 0; i < count_; ++i) {
      if (run_at(i).state == State::kBackoff) run_at(i).state = State::kStopped;
    }
  }

  // Stops one service at a time, the last started first.
  void advance_stop() {
    for (int i = count_ - 1; i >= 0; --i) {
      if (run_at(i).state == State::kStopping) return;  // wait for it
      if (run_at(i).state == State::kRunning && run_at(i).pid > 0) {
        stop(i);
        return;
      }
    }
  }

  void stop(int i) {
    const ServiceSpec& spec = table_[i];
    ServiceRun& run = run_at(i);
    run.state = State::kStopping;
    run.due_ms = now_ms() + spec.stop_grace_ms;
    send(run.pid, spec.stop_signal);
    if (spec.stop_signal != SIGKILL) send(run.pid, SIGCONT);
    say(Level::kInfo, i, "': stopping pid %", run.pid);
  }

  void send(pid_t pid, int sig) const {
    if (pid <= 0) return;
    if (kill(options_.process_group ? -pid : pid, sig) != 0 && errno != ESRCH) {
      HUSK_LOG(log_, kWarning, "signal " << sig << " to pid " << pid << " failed");
    }
  }

  bool finished() const {
    if (!stopping_ && next_start_ < count_) return false;
    for (int i = 0; i < count_; ++i) {
      switch (run_at(i).state) {
        case State::kRunning:
        case State::kBackoff:
        case State::kStopping:
          return false;
        case State::kStopped:
          if (!stopping_) return false;  // stopped by husk ctl: it may be started again
          break;
        default:
          break;
      }
    }
    return true;
  }

  // --- time -----------------------------------------------------------------------------------

  std::int64_t next_deadline() const {
    std::int64_t next = -1;
    auto consider = [&next](std::int64_t t) {
      if (t >= 0 && (next < 0 || t < next)) next = t;
    };
    for (int i = 0; i < count_; ++i) {
      const ServiceRun& run = run_at(i);
      if (run.state == State::kBackoff) consider(run.due_ms);
      if (run.state == State::kStopping && !run.killed) consider(run.due_ms);
    }
    const int waiting = awaited();
    if (waiting >= 0) {
      consider(ready_deadline_ms_);
      if (table_[waiting].ready_file[0] != '\0') consider(now_ms() + kReadyFilePollMs);
    }
    return next;
  }

  void handle_due(std::int64_t now) {
    for (int i = 0; i < count_; ++i) {
      ServiceRun& run = run_at(i);
      if (run.state == State::kBackoff && run.due_ms <= now && !stopping_) {
        start(i);
      } else if (run.state == State::kStopping && !run.killed && run.due_ms <= now) {
        say(Level::kWarning, i, "' still running % ms after its stop signal: SIGKILL",
            table_[i].stop_grace_ms);
        run.killed = true;
        if (run.pid > 0) {
          kill(-run.pid, SIGKILL);
          kill(run.pid, SIGKILL);
        }
      }
    }
    const int waiting = awaited();
    if (waiting < 0) return;
    const ServiceSpec& spec = table_[waiting];
    struct stat st {};
    if (spec.ready_file[0] != '\0' && stat(spec.ready_file, &st) == 0) {
      mark_ready(waiting);
    } else if (now >= ready_deadline_ms_) {
      Message why;
      why << "not ready after " << spec.ready_timeout_ms << " ms (ready-timeout)";
      fail_readiness(waiting, why.view());
    }
  }

  // --- signals and control --------------------------------------------------------------------

  void handle_signal(int sig, const siginfo_t& info) {
    if (sig == SIGCHLD) {
      reaper_.reap();
    } else if (sig == SIGIO && info.si_code > 0) {  // from the kernel: a pipe or the socket
      read_ready_pipes();
      output_pending_ = true;
      serve_control();
    } else if (sig == SIGTERM || sig == SIGINT) {
      if (!stopping_) HUSK_LOG(log_, kInfo, "signal " << sig << ": stopping the services");
      stop_all();
    } else {
      forward(sig);
    }
  }

  // SIGHUP to every service; any other signal to the main service, or to all without one (or
  // with --signal-all).
  void forward(int received) {
    const int sig = options_.rewrite.map(received);
    if (sig == 0) return;
    const bool everyone = received == SIGHUP || main_ < 0 || options_.signal_all;
    for (int i = 0; i < count_; ++i) {
      if (everyone || i == main_) send(run_at(i).pid, sig);
    }
  }

  void open_control() {
    control_ = open_control_socket(options_.control_path);
    if (control_) return;
    if (options_.control_path_set) {
      HUSK_LOG(log_, kWarning,
               "control socket " << options_.control_path << ": " << std::strerror(errno)
                                 << "; husk ctl will not work");
    } else {
      HUSK_LOG(log_, kInfo,
               "control socket " << options_.control_path << ": " << std::strerror(errno));
    }
  }

  // Not inlined: its reply buffer is stack only while a request is answered.
  [[gnu::noinline]] void serve_control() {
    if (!control_) return;
    char request[kMaxControlRequest];
    std::size_t size = 0;
    ControlPeer peer{};
    while (receive_control_request(control_.get(), request, size, peer)) {
      Reply reply;
      answer(std::string_view(request, size), reply);
      send_control_reply(control_.get(), peer, reply.view());
    }
  }

  void answer(std::string_view request, Reply& reply) {
    std::size_t space = request.find(' ');
    std::string_view verb = head(request, space);
    std::string_view name = space == std::string_view::npos ? "" : from(request, space + 1);
    if (verb == "list" && name.empty()) {
      list(reply);
      return;
    }
    int i = -1;
    for (int j = 0; j < count_; ++j) {
      if (name == table_[j].name) i = j;
    }
    Message text;
    if (verb != "start" && verb != "stop" && verb != "restart") {
      text << "unknown command '" << head(verb, 16) << "' (list, start, stop, restart)";
    } else if (i < 0) {
      text << "no service '" << head(name, 40) << "'";
    } else if (stopping_) {
      text << "husk is stopping";
    } else {
      control(verb, i, text);
      reply.add(std::string_view(&kReplyOk, 1));
      reply.add(text.view());
      reply.add("\n");
      return;
    }
    reply.add(std::string_view(&kReplyError, 1));
    reply.add(text.view());
  }

  void control(std::string_view verb, int i, Message& text) {
    ServiceRun& run = run_at(i);
    const char* name = table_[i].name;
    const bool alive = run.state == State::kRunning || run.state == State::kStopping;
    if (verb == "stop") {
      if (run.state == State::kRunning) {
        run.restart_after_stop = false;
        stop(i);
      } else if (run.state == State::kBackoff || run.state == State::kWaiting) {
        run.state = State::kStopped;
      }
      text << "stopping '" << name << "'";
      return;
    }
    run.window_restarts = 0;  // an operator's start or restart begins a fresh window
    run.delay_ms = 0;
    if (alive) {
      if (verb == "restart") {
        run.restart_after_stop = true;
        if (run.state == State::kRunning) stop(i);
        text << "restarting '" << name << "'";
      } else {
        text << "'" << name << "' is running already";
      }
      return;
    }
    start(i);
    text << "started '" << name << "'";
  }

  void list(Reply& reply) {
    reply.add(std::string_view(&kReplyOk, 1));
    reply.add("NAME                            STATE     PID      UPTIME  RESTARTS\n");
    const std::int64_t now = now_ms();
    for (int i = 0; i < count_; ++i) {
      const ServiceRun& run = run_at(i);
      Message state, pid, uptime, restarts;
      state << kStateNames[static_cast<int>(run.state)];
      if (table_[i].main) state << '*';
      if (run.pid > 0) {
        pid << run.pid;
        uptime << static_cast<long long>((now - run.started_ms) / 1000) << 's';
      } else {
        pid << '-';
        uptime << '-';
      }
      restarts << run.restarts;
      reply.add_padded(table_[i].name, 32);
      reply.add_padded(state.view(), 10);
      reply.add_padded(pid.view(), 9);
      reply.add_padded(uptime.view(), 8);
      reply.add(restarts.view());
      reply.add("\n");
    }
  }

  int exit_code() const {
    if (readiness_failed_) return kExitExecFailed;
    if (main_ >= 0) return options_.exit_remap.apply(exit_code_from_wait_status(main_status_));
    if (first_failure_ >= 0) {
      return options_.exit_remap.apply(exit_code_from_wait_status(first_failure_));
    }
    return 0;
  }

  const Options& options_;
  const Log& log_;
  ServiceTable& table_;  // the specs, read only, and the services' states
  const SignalState& original_;
  const bool pid1_;
  const int count_;
  Reaper reaper_;
  UniqueFd control_;
  int main_ = -1;
  int next_start_ = 0;
  std::int64_t ready_deadline_ms_ = -1;
  bool stopping_ = false;
  bool readiness_failed_ = false;
  bool output_pending_ = false;  // SIGIO came, or the last relay left something in a pipe
  StackTrim stack_trim_;
  int main_status_ = 0;
  int first_failure_ = -1;  // wait status of the first service given up or failed for good
  ServiceOutput output_;
  ServiceRun& run_at(int i) { return *std::launder(static_cast<ServiceRun*>(table_.state(i))); }
  const ServiceRun& run_at(int i) const {
    return *std::launder(static_cast<const ServiceRun*>(table_.state(i)));
  }
};

}  // namespace

int supervise_services(const Options& options, const Log& log, ServiceTable& table,
                       const SignalState& original, bool pid1) {
  // Zero until used, in .lbss after the table (see run_services in main.cc).
  [[gnu::section(".lbss")]] constinit static OutputSlots slots;
  return ServiceSupervisor(options, log, table, original, pid1, slots).run();
}

}  // namespace husk
