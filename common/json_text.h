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

// Whether `text` is well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF), as every string of a JSON text must be.
inline bool is_utf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t follow = 0;  // continuation bytes; the first one's range is narrower for some leads
    unsigned char low = 0x80, high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
      follow = 1;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      follow = 2;
      if (lead == 0xe0) low = 0xa0;   // overlong
      if (lead == 0xed) high = 0x9f;  // surrogates
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      follow = 3;
      if (lead == 0xf0) low = 0x90;   // overlong
      if (lead == 0xf4) high = 0x8f;  // above U+10FFFF
    } else {
      return false;
    }
    if (text.size() - i <= follow) return false;
    for (size_t k = 1; k <= follow; ++k) {
      const auto byte = static_cast<unsigned char>(text[i + k]);
      if (byte < (k == 1 ? low : 0x80) || byte > (k == 1 ? high : 0xbf)) return false;
    }
    i += follow + 1;
  }
  return true;
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
