// json_text: JSON string escaping, for the few JSON documents the launcher writes by hand
// (state.json, JSON log lines, the seccomp agent's message), and the same escapes for control
// characters in plain text lines, so that a value from a config cannot start a new log line.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace husk {

// Whether `c` is a control character: C0, or DEL.
inline bool is_control(char c) {
  auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// Appends the JSON escape of the control character `c`: \n, \r, \t or \u00XX.
inline void append_control_escape(std::string& out, char c) {
  switch (c) {
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default: {
      char escaped[8];
      (void)std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned char>(c));
      out += escaped;
    }
  }
}

// `text` with quotes, backslashes and control characters escaped, without surrounding quotes.
inline std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (is_control(c)) {
      append_control_escape(out, c);
    } else {
      out += c;
    }
  }
  return out;
}

// `text` as a JSON string, quotes included.
inline std::string json_quote(std::string_view text) { return "\"" + json_escape(text) + "\""; }

// `text` as one printable line: control characters (newlines, escape sequences) escaped as in
// JSON, everything else unchanged. Every line launch prints goes through it.
inline std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_control(c)) {
      append_control_escape(out, c);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace husk
