// logging: launch's log, in the parent only (the container's child never prints). Text lines
// ("launch: error: <message>") or JSON objects ({"level":"error","msg":"...","time":"..."}), to
// stderr or the --log file. The spdlog logger is made on the first message, so a run that logs
// nothing pays nothing for it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "error.h"
#include "json_text.h"

namespace spdlog {
class logger;
}

namespace husk::launch {

enum class LogFormat { kText, kJson };

struct LogOptions {
  std::string path;  // empty: stderr
  LogFormat format = LogFormat::kText;
  bool debug = false;
};

class Log {
 public:
  // Opens the --log file (appending) when there is one.
  static Result<Log> open(const LogOptions& options);
  // A log on stderr, text, no debug (before the command line is parsed).
  Log() = default;

  // With a --log file, an error also goes to stderr as one text line: containerd reads the
  // file, a person the terminal.
  void error(std::string_view message) const;
  void warn(std::string_view message) const;
  void debug(std::string_view message) const;  // only with --debug
  bool debug_enabled() const { return debug_; }

 private:
  Log(std::string path, LogFormat format, bool debug)
      : path_(std::move(path)), format_(format), debug_(debug) {}
  spdlog::logger& logger() const;

  std::string path_;
  LogFormat format_ = LogFormat::kText;
  bool debug_ = false;
  mutable std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace husk::launch
