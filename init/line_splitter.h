// Cuts a byte stream into lines for husk's service output prefixing: bytes go in as they were
// read, whole lines come out (without their newline) through a callback. A line longer than the
// buffer comes out in pieces of `kCapacity` bytes; `flush` gives out a partial last line. Fixed
// storage, no allocation, no system call: the unit tests drive it with strings.
#pragma once

#include <cstddef>
#include <cstring>
#include <string_view>

namespace husk {

template <std::size_t kCapacity>
class LineSplitter {
 public:
  // Calls `emit(std::string_view)` for every line or piece that `data` completes, in order.
  template <typename Emit>
  void feed(std::string_view data, Emit&& emit) {
    while (!data.empty()) {
      if (size_ == kCapacity) {  // full: a newline ends the line, anything else continues it
        emit(std::string_view(buffer_, size_));
        size_ = 0;
        if (data[0] == '\n') data.remove_prefix(1);
        continue;
      }
      const std::size_t newline = data.find('\n');
      if (size_ == 0) {  // nothing held: whole lines go out straight from `data`
        if (newline != std::string_view::npos && newline <= kCapacity) {
          emit(std::string_view(data.data(), newline));
          data.remove_prefix(newline + 1);
          continue;
        }
        if (data.size() > kCapacity) {  // a byte that is no newline follows a full piece
          emit(std::string_view(data.data(), kCapacity));
          data.remove_prefix(kCapacity);
          continue;
        }
      }
      const std::size_t line = newline == std::string_view::npos ? data.size() : newline;
      const std::size_t take = line < kCapacity - size_ ? line : kCapacity - size_;
      if (take > 0) std::memcpy(buffer_ + size_, data.data(), take);
      size_ += take;
      data.remove_prefix(take);
      if (take == line && newline != std::string_view::npos) {
        emit(std::string_view(buffer_, size_));
        size_ = 0;
        data.remove_prefix(1);
      }
    }
  }

  // Gives out what is held (a line without its newline yet), if anything.
  template <typename Emit>
  void flush(Emit&& emit) {
    if (size_ == 0) return;
    emit(std::string_view(buffer_, size_));
    size_ = 0;
  }

  std::size_t held() const { return size_; }

 private:
  std::size_t size_ = 0;  // all zero: a static array of them is .bss, untouched until used
  char buffer_[kCapacity] = {};
};

}  // namespace husk
