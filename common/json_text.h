// json_text: JSON string escaping, for the few JSON documents the launcher writes by hand
// (state.json, JSON log lines, the seccomp agent's message).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace husk {

// `text` with quotes, backslashes and control characters escaped, without surrounding quotes.
inline std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          (void)std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += c;
        }
    }
  }
  return out;
}

// `text` as a JSON string, quotes included.
inline std::string json_quote(std::string_view text) { return "\"" + json_escape(text) + "\""; }

}  // namespace husk
