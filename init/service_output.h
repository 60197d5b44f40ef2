// The output of the services with log-prefix: each gets two pipes, its stdout and stderr, made
// at its first start and kept across its restarts. husk reads them when SIGIO says there is
// something (O_ASYNC on the read ends: no descriptor to poll, no wake-up while they are quiet)
// and writes every line to its own stdout or stderr as "NAME: LINE". A line longer than
// kMaxOutputLine goes out in pieces, each prefixed; a partial line is ended with a newline when
// the service ends. Writing never blocks husk: a line its stdout or stderr cannot take now is
// dropped and counted, and the count reported on stderr once lines go through again.
#pragma once

#include "line_splitter.h"
#include "log.h"
#include "service_table.h"

namespace husk {

inline constexpr std::size_t kMaxOutputLine = 512;

// One service's pipes, read ends first (0: stdout, 1: stderr). All zero is "none yet", so a
// static array of them is .bss that only the services with log-prefix touch.
struct OutputPipes {
  int read_fd[2] = {};
  int write_fd[2] = {};
  bool open = false;
};

// One service's partial lines; touched only when a line arrives in more than one read.
using OutputLines = LineSplitter<kMaxOutputLine>[2];

class ServiceOutput {
 public:
  // `pipes` and `lines`: storage for every service of `table`, zero.
  ServiceOutput(const Log& log, const ServiceTable& table, OutputPipes* pipes, OutputLines* lines)
      : log_(log), table_(table), pipes_(pipes), lines_(lines) {}
  ServiceOutput(const ServiceOutput&) = delete;
  ServiceOutput& operator=(const ServiceOutput&) = delete;
  ~ServiceOutput();

  // The write ends service i gets as stdout and stderr, its pipes made on the first call; null
  // when the service has no log-prefix, or when the pipes cannot be made (said once in the log:
  // the service then writes to husk's stdout and stderr itself).
  const int* write_ends(int i);
  // Reads every pipe, a bounded amount each, and writes the complete lines. Returns true when
  // some pipe may hold more: call again before waiting.
  bool relay();
  // At the end of service i: what its pipes still hold, and a partial line ended.
  void finish(int i);

 private:
  bool read_stream(int i, int stream, int reads);
  void write_line(int i, int stream, std::string_view line);
  void report_drops(int stream);  // on stderr, and the count starts again

  const Log& log_;
  const ServiceTable& table_;
  OutputPipes* pipes_;
  OutputLines* lines_;
  Log stdout_{0, 1};  // husk's stdout, written without blocking like the log
  unsigned long dropped_[2] = {};
};

}  // namespace husk
