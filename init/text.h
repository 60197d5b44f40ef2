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

}  // namespace husk
