// text: the words and lines of cgroupfs files ("memory pids\n", "rbytes=1 wbytes=2\n"), as
// views into the file's text, without iostreams.
#pragma once

#include <string_view>
#include <vector>

namespace husk::cgroups {

// The words of `text`, separated by any run of spaces, tabs and newlines.
inline std::vector<std::string_view> split_words(std::string_view text) {
  constexpr std::string_view kBlank = " \t\n";
  std::vector<std::string_view> words;
  size_t start = text.find_first_not_of(kBlank);
  while (start != std::string_view::npos) {
    size_t end = text.find_first_of(kBlank, start);
    if (end == std::string_view::npos) end = text.size();
    words.push_back(text.substr(start, end - start));
    start = text.find_first_not_of(kBlank, end);
  }
  return words;
}

// The lines of `text`, without their newlines; no empty last line for a final newline.
inline std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t newline = text.find('\n');
    lines.push_back(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
  }
  return lines;
}

}  // namespace husk::cgroups
