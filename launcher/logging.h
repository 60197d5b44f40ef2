// logging: launch's log, in the parent only (the container's child never prints). Text lines
// ("launch: error: <message>") or JSON objects ({"level":"error","msg":"...","time":"..."}), to
// stderr or the --log file. The spdlog logger is made on the first message, so a run that logs
// nothing pays nothing for it.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "cli.h"
#include "error.h"
#include "json_text.h"

namespace spdlog {
class logger;
}

namespace husk::launch {

class Log {
 public:
  // Opens the --log file (appending) when there is one.
  static Result<Log> open(const GlobalOptions& options);

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
