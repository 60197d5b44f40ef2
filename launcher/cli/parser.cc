#include "cli/parser.h"

#include <charconv>

#include "json_text.h"

namespace husk::launch::cli {

Option flag(std::string_view name, std::string_view short_name, bool& target) {
  return {name, short_name, false, [&target](std::string_view) -> Status {
            target = true;
            return {};
          }};
}

Option value(std::string_view name, std::string_view short_name, std::string& target) {
  return {name, short_name, true, [&target](std::string_view text) -> Status {
            target = text;
            return {};
          }};
}

Option repeated(std::string_view name, std::string_view short_name,
                std::vector<std::string>& target) {
  return {name, short_name, true, [&target](std::string_view text) -> Status {
            target.emplace_back(text);
            return {};
          }};
}

Option count(std::string_view name, std::string_view short_name, int& target) {
  return {name, short_name, true, [name, &target](std::string_view text) -> Status {
            auto parsed = parse_count(name, text);
            if (!parsed.ok()) return std::move(parsed).error();
            target = *parsed;
            return {};
          }};
}

Result<int> parse_count(std::string_view name, std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0)
    return Error(std::string(name) + ": expected a non-negative integer, got \"" +
                 json_escape(text) + "\"");
  return value;
}

Result<Parsed> parse_options(std::string_view verb, std::span<const std::string_view> args,
                             std::span<const Option> options, Positionals positionals) {
  Parsed parsed;
  const std::string where(verb);
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view word = args[i];
    if (options_done || word.size() < 2 || word[0] != '-') {
      parsed.positional.emplace_back(word);
      if (positionals == Positionals::kFirstEndsOptions) options_done = true;
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word == "-h" || word == "--help") {
      parsed.help = true;
      continue;
    }
    std::string_view name = word;
    std::string_view inline_value;
    bool has_inline = false;
    if (size_t eq = word.find('='); eq != std::string_view::npos && word.rfind("--", 0) == 0) {
      name = word.substr(0, eq);
      inline_value = word.substr(eq + 1);
      has_inline = true;
    }
    const Option* found = nullptr;
    for (const Option& option : options) {
      if (name == option.name || (!option.short_name.empty() && name == option.short_name)) {
        found = &option;
        break;
      }
    }
    if (found == nullptr)
      return Error(where + ": unknown option " + json_escape(name) + " (see launch " + where +
                   " --help)");
    std::string_view text;
    if (found->takes_value) {
      if (has_inline) {
        text = inline_value;
      } else {
        if (i + 1 >= args.size()) return Error(where + ": " + std::string(name) + ": missing value");
        text = args[++i];
      }
    } else if (has_inline) {
      return Error(where + ": " + std::string(name) + " takes no value");
    }
    if (auto applied = found->apply(text); !applied.ok())
      return std::move(applied).error().context(where);
  }
  return parsed;
}

}  // namespace husk::launch::cli
