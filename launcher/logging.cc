#include "logging.h"

#include <spdlog/logger.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <unistd.h>

#include <cstdio>

namespace husk::launch {
namespace {

// %* in a pattern: the message, escaped for a JSON string.
class JsonMessageFlag : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*tm*/,
              spdlog::memory_buf_t& dest) override {
    std::string escaped = json_escape(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(escaped.data(), escaped.data() + escaped.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

}  // namespace

Result<Log> Log::open(const LogOptions& options) {
  Log log(options.path, options.format, options.debug);
  if (!options.path.empty()) {
    try {
      log.logger();
    } catch (const spdlog::spdlog_ex& e) {
      return Error("--log " + options.path + ": " + e.what());
    }
  }
  return log;
}

spdlog::logger& Log::logger() const {
  if (logger_) return *logger_;
  spdlog::sink_ptr sink;
  if (path_.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_st>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_st>(path_);
  }
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  if (format_ == LogFormat::kJson) {
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"level":"%l","msg":"%*","time":"%Y-%m-%dT%H:%M:%S.%fZ"})");
  } else {
    formatter->set_pattern("launch: %l: %v");
  }
  sink->set_formatter(std::move(formatter));
  logger_ = std::make_shared<spdlog::logger>("launch", std::move(sink));
  logger_->set_level(debug_ ? spdlog::level::debug : spdlog::level::warn);
  logger_->flush_on(spdlog::level::debug);
  return *logger_;
}

void Log::error(std::string_view message) const {
  logger().error("{}", message);
  if (!path_.empty()) {
    std::string line = "launch: error: " + std::string(message) + "\n";
    (void)!::write(STDERR_FILENO, line.data(), line.size());
  }
}
void Log::warn(std::string_view message) const { logger().warn("{}", message); }
void Log::debug(std::string_view message) const {
  if (debug_) logger().debug("{}", message);
}

}  // namespace husk::launch
