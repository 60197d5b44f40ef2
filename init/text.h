// Non-throwing string_view slices: std::string_view::substr may throw, which would pull the
// C++ runtime's exception code into the static binary.
#pragma once

#include <string_view>

namespace husk {

// The first `n` characters of `text` (all of it when shorter).
constexpr std::string_view head(std::string_view text, std::size_t n) {
  return {text.data(), n < text.size() ? n : text.size()};
}

// `text` from position `pos` on (empty when past the end).
constexpr std::string_view from(std::string_view text, std::size_t pos) {
  return pos < text.size() ? std::string_view(text.data() + pos, text.size() - pos)
                           : std::string_view();
}

// Copies `text` into `out` with a terminating NUL. False (nothing copied) when it does not fit in
// `capacity` bytes or holds a NUL itself.
inline bool copy_cstring(std::string_view text, char* out, std::size_t capacity) {
  if (text.size() >= capacity || text.find('\0') != std::string_view::npos) return false;
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = text[i];
  out[text.size()] = '\0';
  return true;
}

}  // namespace husk
