// Log lines for the init: built in a fixed buffer (no allocation) and written to stderr with one
// write(2), prefixed "husk: ". Verbosity is a value passed down, not global state.
#pragma once

#include <cstddef>
#include <string_view>

namespace husk {

// A bounded line of text. Appends past the capacity are cut off, never overflow.
class Message {
 public:
  Message& operator<<(std::string_view text);
  Message& operator<<(const char* text) {
    return *this << std::string_view(text ? text : "(null)");
  }
  Message& operator<<(char c) { return *this << std::string_view(&c, 1); }
  Message& operator<<(long long number);
  Message& operator<<(int number) { return *this << static_cast<long long>(number); }
  Message& operator<<(long number) { return *this << static_cast<long long>(number); }
  Message& operator<<(unsigned number) { return *this << static_cast<long long>(number); }

  std::string_view view() const { return {buffer_, size_}; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

 private:
  static constexpr std::size_t kCapacity = 480;
  char buffer_[kCapacity];
  std::size_t size_ = 0;
};

// Levels: errors are always shown; warnings from verbosity 1 (the default); info (-v) and debug
// (-vv) above that.
enum class Level { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

class Log {
 public:
  explicit Log(int verbosity) : verbosity_(verbosity) {}
  bool enabled(Level level) const { return static_cast<int>(level) <= verbosity_; }
  // Writes "husk: <message>\n" to stderr when `level` is enabled.
  void write(Level level, const Message& message) const;

 private:
  int verbosity_;
};

// Writes `text` to `fd` whole, retrying on EINTR and short writes. Returns false on error.
bool write_all(int fd, std::string_view text);

}  // namespace husk

// Builds the message only when its level is enabled: HUSK_LOG(log, kInfo, "child " << pid).
#define HUSK_LOG(log, level, parts)                         \
  do {                                                      \
    if ((log).enabled(::husk::Level::level)) {              \
      ::husk::Message husk_log_message_;                    \
      husk_log_message_ << parts;                           \
      (log).write(::husk::Level::level, husk_log_message_); \
    }                                                       \
  } while (0)
