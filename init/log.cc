#include "log.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace husk {

Message& Message::operator<<(std::string_view text) {
  std::size_t n = text.size();
  if (n > kCapacity - size_) n = kCapacity - size_;
  if (n == 0) return *this;  // an empty view may hold no pointer at all: memcpy must not see it
  std::memcpy(buffer_ + size_, text.data(), n);
  size_ += n;
  return *this;
}

Message& Message::operator<<(long long number) {
  char digits[24];
  std::size_t i = sizeof digits;
  unsigned long long magnitude =
      number < 0 ? 0ULL - static_cast<unsigned long long>(number) : number;
  do {
    digits[--i] = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (number < 0) digits[--i] = '-';
  return *this << std::string_view(digits + i, sizeof digits - i);
}

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

Log::~Log() {
  if (owned_) close(out_);
}

void Log::open_sink() const {
  sink_ = Sink::kNone;
  struct stat st {};
  if (fstat(fd_, &st) != 0) return;  // no stderr at all
  out_ = fd_;
  if (S_ISSOCK(st.st_mode)) {
    sink_ = Sink::kSend;
    return;
  }
  if (S_ISREG(st.st_mode) || (fcntl(fd_, F_GETFL) & O_NONBLOCK) != 0) {
    sink_ = Sink::kWrite;  // a regular file does not make a writer wait
    return;
  }
  // A pipe, FIFO or terminal: opened again, it is a description of our own, which can be made
  // non-blocking without changing the child's stderr.
  char name[32] = "/proc/self/fd/";  // and the digits of fd_ (not a Message: 480 bytes of stack)
  char* end = name + 14;
  for (int rest = fd_; rest >= 10; rest /= 10) ++end;
  for (int rest = fd_; end >= name + 14; rest /= 10) *end-- = static_cast<char>('0' + rest % 10);
  int own = open(name, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (own >= 0) {
    out_ = own;
    owned_ = true;
    sink_ = Sink::kWrite;
    return;
  }
  // No /proc: wait for nothing, write only when poll says it fits. (A child writing to the same
  // pipe between the two can still fill it; there is no better way without /proc.)
  sink_ = Sink::kPoll;
}

namespace {

// A write to a pipe nobody reads any more raises SIGPIPE for the writer. husk keeps every signal
// blocked and forwards what it takes, so it takes this one here: it is husk's own, not one for
// the child.
void take_own_sigpipe() {
  sigset_t pipe;
  sigemptyset(&pipe);
  sigaddset(&pipe, SIGPIPE);
  const timespec now{};
  const int saved = errno;
  while (sigtimedwait(&pipe, nullptr, &now) < 0 && errno == EINTR) {
  }
  errno = saved;
}

}  // namespace

bool Log::try_write(const iovec* parts, int count) const {
  std::size_t size = 0;
  for (int i = 0; i < count; ++i) size += parts[i].iov_len;
  ssize_t n = -1;
  do {
    switch (sink_) {
      case Sink::kSend: {
        msghdr message{};
        message.msg_iov = const_cast<iovec*>(parts);
        message.msg_iovlen = static_cast<decltype(message.msg_iovlen)>(count);
        n = sendmsg(out_, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
        break;
      }
      case Sink::kPoll: {
        pollfd p{out_, POLLOUT, 0};
        if (poll(&p, 1, 0) != 1 || (p.revents & POLLOUT) == 0) return false;
        n = ::writev(out_, parts, count);
        break;
      }
      case Sink::kWrite:
        n = ::writev(out_, parts, count);
        break;
      default:
        return false;
    }
  } while (n < 0 && errno == EINTR);
  if (n < 0 && errno == EPIPE) take_own_sigpipe();
  if (n <= 0) return false;
  // Lines are below PIPE_BUF, so a pipe takes all or nothing; a socket or terminal may take part.
  cut_ = static_cast<std::size_t>(n) < size;
  return true;
}

void Log::write(Level level, const Message& message) const {
  if (!enabled(level)) return;
  int saved_errno = errno;
  if (sink_ == Sink::kUnknown) open_sink();
  if (dropped_ > 0 || cut_) {
    Message notice;
    if (cut_) notice << '\n';
    if (dropped_ > 0)
      notice << "husk: " << static_cast<long long>(dropped_)
             << " log lines dropped: stderr was full\n";
    if (!try_write(notice.view())) {
      ++dropped_;
      errno = saved_errno;
      return;
    }
    dropped_ = 0;
  }
  Message line;
  line << "husk: ";
  for (char c : message.view()) {  // a value from argv or the environment stays on this line
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      const char hex[] = "0123456789abcdef";
      line << "\\x" << hex[u >> 4] << hex[u & 15];
    } else {
      line << c;
    }
  }
  line << '\n';
  if (!try_write(line.view())) ++dropped_;
  errno = saved_errno;
}

bool Log::write_raw(const iovec* parts, int count) const {
  constexpr int kMaxParts = 8;
  if (count > kMaxParts - 1) return false;
  int saved_errno = errno;
  if (sink_ == Sink::kUnknown) open_sink();
  iovec all[kMaxParts];
  int n = 0;
  if (cut_) all[n++] = {const_cast<char*>("\n"), 1};  // what went out in part ends here
  for (int i = 0; i < count; ++i) all[n++] = parts[i];
  bool written = try_write(all, n);
  errno = saved_errno;
  return written;
}

}  // namespace husk
