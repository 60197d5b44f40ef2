// A pseudo-terminal a test holds and drives: the program under test gets the slave as its
// stdio, the test keeps the master, types keys into it and reads what the terminal shows.
// Header-only: shared by husk's and launch's end-to-end suites.
#pragma once

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <string>

#include "read_until.h"
#include "unique_fd.h"

namespace husk::test {

class TestPty {
 public:
  // Opens the pair (close-on-exec, not our controlling terminal). False when the host has none.
  bool open() {
    master_ = UniqueFd(posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master_ || grantpt(master_.get()) != 0 || unlockpt(master_.get()) != 0) return false;
    slave_ = UniqueFd(::open(ptsname(master_.get()), O_RDWR | O_NOCTTY | O_CLOEXEC));
    return slave_.valid();
  }

  int master() const { return master_.get(); }
  int slave() const { return slave_.get(); }
  void close_slave() { slave_.reset(); }

  // Reads the master until what the terminal showed holds `needle`.
  bool read(const std::string& needle, int timeout_ms = 5000) {
    return read_until(master_.get(), text_, needle, timeout_ms);
  }
  // Types `keys` at the terminal. False when they could not all be written.
  bool type(const std::string& keys) {
    return write(master_.get(), keys.data(), keys.size()) == static_cast<ssize_t>(keys.size());
  }
  void set_size(unsigned short rows, unsigned short cols) {
    winsize ws{};
    ws.ws_row = rows;
    ws.ws_col = cols;
    ioctl(master_.get(), TIOCSWINSZ, &ws);
  }
  // Everything the terminal showed so far.
  const std::string& text() const { return text_; }

 private:
  UniqueFd master_;
  UniqueFd slave_;
  std::string text_;
};

}  // namespace husk::test
