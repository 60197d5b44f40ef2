#include "service_output.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace husk {
namespace {

constexpr std::size_t kReadSize = 1024;
constexpr int kReadsPerRelay = 16;  // per pipe and call: the signals are looked at in between
// At a service's end: a whole pipe (64 KiB, the kernel's default) and one more read, so that
// what the service wrote last is read before its partial line is ended. (A child it left
// behind may write on; that goes out with the next relays.)
constexpr int kReadsAtEnd = static_cast<int>(std::size_t{64} * 1024 / kReadSize) + 1;
constexpr std::string_view kStreamNames[] = {"stdout", "stderr"};

}  // namespace

ServiceOutput::~ServiceOutput() {
  for (int i = 0; i < table_.size(); ++i) {
    if (!pipes_[i].open) continue;
    for (int s = 0; s < 2; ++s) {
      close(pipes_[i].read_fd[s]);
      close(pipes_[i].write_fd[s]);
    }
  }
  report_drops(0);
  report_drops(1);
}

void ServiceOutput::report_drops(int stream) {
  if (dropped_[stream] == 0) return;
  HUSK_LOG(log_, kWarning,
           static_cast<long long>(dropped_[stream])
               << " lines of service output dropped: " << kStreamNames[stream] << " was full");
  dropped_[stream] = 0;
}

const int* ServiceOutput::write_ends(int i) {
  OutputPipes& p = pipes_[i];
  if (p.open) return p.write_fd;
  if (!table_[i].log_prefix) return nullptr;
  int fds[2][2];
  for (int s = 0; s < 2; ++s) {
    if (pipe2(fds[s], O_CLOEXEC) == 0) continue;
    HUSK_LOG(log_, kWarning,
             "service '" << table_[i].name << "': no output pipe (" << std::strerror(errno)
                         << "): its output goes out unprefixed");
    if (s == 1) {
      close(fds[0][0]);
      close(fds[0][1]);
    }
    return nullptr;
  }
  for (int s = 0; s < 2; ++s) {
    p.read_fd[s] = fds[s][0];
    p.write_fd[s] = fds[s][1];  // the service's end stays blocking
    fcntl(p.read_fd[s], F_SETOWN, getpid());
    fcntl(p.read_fd[s], F_SETSIG, SIGIO);
    fcntl(p.read_fd[s], F_SETFL, O_NONBLOCK | O_ASYNC);
  }
  p.open = true;
  return p.write_fd;
}

bool ServiceOutput::relay() {
  bool more = false;
  for (int i = 0; i < table_.size(); ++i) {
    if (!pipes_[i].open) continue;
    for (int s = 0; s < 2; ++s) {
      if (read_stream(i, s, kReadsPerRelay)) more = true;
    }
  }
  return more;
}

void ServiceOutput::finish(int i) {
  if (!pipes_[i].open) return;
  for (int s = 0; s < 2; ++s) {
    read_stream(i, s, kReadsAtEnd);
    lines_[i][s].flush([this, i, s](std::string_view line) { write_line(i, s, line); });
  }
}

// Not inlined: its buffer is stack only while a pipe is read.
[[gnu::noinline]] bool ServiceOutput::read_stream(int i, int stream, int reads) {
  char buffer[kReadSize];
  while (reads > 0) {
    ssize_t n = read(pipes_[i].read_fd[stream], buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // empty (EAGAIN); never EOF while husk holds the write end
    --reads;
    lines_[i][stream].feed(
        std::string_view(buffer, static_cast<std::size_t>(n)),
        [this, i, stream](std::string_view line) { write_line(i, stream, line); });
  }
  return true;
}

void ServiceOutput::write_line(int i, int stream, std::string_view line) {
  const char* name = table_[i].name;
  iovec parts[] = {{const_cast<char*>(name), std::strlen(name)},
                   {const_cast<char*>(": "), 2},
                   {const_cast<char*>(line.data()), line.size()},
                   {const_cast<char*>("\n"), 1}};
  const Log& sink = stream == 0 ? stdout_ : log_;
  if (sink.write_raw(parts, 4)) {
    report_drops(stream);
  } else {
    ++dropped_[stream];
  }
}

}  // namespace husk
