// Log lines for the init: built in a fixed buffer (no allocation) and written to stderr with one
// write(2), prefixed "husk: ". Verbosity is a value passed down, not global state.
#pragma once

#include <sys/uio.h>

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
  // Back to its first `size` bytes: what was added since view().size() was `size` is undone.
  void truncate(std::size_t size) {
    if (size < size_) size_ = size;
  }

 private:
  static constexpr std::size_t kCapacity = 480;
  char buffer_[kCapacity];
  std::size_t size_ = 0;
};

// Levels: errors are always shown; warnings from verbosity 1 (the default); info (-v) and debug
// (-vv) above that.
enum class Level { kError = 0, kWarning = 1, kInfo = 2, kDebug = 3 };

// The log never blocks husk: a line that does not fit into stderr now (a full pipe nobody reads,
// a stopped terminal) is dropped and counted, and the count is reported before the next line
// that fits. The non-blocking writes go through a description of husk's own (stderr reopened
// through /proc/self/fd, or send(MSG_DONTWAIT) on a socket), so the O_NONBLOCK flag never
// reaches the file description that husk shares with its child.
class Log {
 public:
  explicit Log(int verbosity, int fd = 2) : verbosity_(verbosity), fd_(fd) {}
  Log(const Log&) = delete;
  Log& operator=(const Log&) = delete;
  ~Log();

  bool enabled(Level level) const { return static_cast<int>(level) <= verbosity_; }
  // Writes "husk: <message>\n" to stderr when `level` is enabled, unless it would block.
  void write(Level level, const Message& message) const;

  // Writes `parts` as they are (a service's output line), all of it or nothing, never blocking,
  // whatever the verbosity. Returns false when it did not fit now: the caller counts the drop.
  bool write_raw(const iovec* parts, int count) const;

  // Lines dropped since the last one written.
  unsigned long dropped() const { return dropped_; }

 private:
  enum class Sink { kUnknown, kNone, kWrite, kSend, kPoll };
  void open_sink() const;
  bool try_write(const iovec* parts, int count) const;  // all of it, or nothing
  bool try_write(std::string_view text) const {
    iovec part{const_cast<char*>(text.data()), text.size()};
    return try_write(&part, 1);
  }

  int verbosity_;
  int fd_;
  // Opened on the first line (no descriptor for a husk that logs nothing).
  mutable Sink sink_ = Sink::kUnknown;
  mutable int out_ = -1;        // what is written to: fd_ or husk's own description of it
  mutable bool owned_ = false;  // out_ is ours to close
  mutable unsigned long dropped_ = 0;
  mutable bool cut_ = false;  // a line went out in part: start the next one on a new line
};

// Writes `text` to `fd` whole, retrying on EINTR and short writes. Returns false on error.
bool write_all(int fd, std::string_view text);

}  // namespace husk

// Builds the message only when its level is enabled: HUSK_LOG(log, kInfo, "child " << pid).
#define HUSK_LOG(log, level, parts)                                        \
  do {                                                                     \
    if ((log).enabled(::husk::Level::level)) {                             \
      ::husk::Message husk_log_message_;                                   \
      husk_log_message_ << parts; /* NOLINT(bugprone-macro-parentheses) */ \
      (log).write(::husk::Level::level, husk_log_message_);                \
    }                                                                      \
  } while (0)
