// parser: options of one verb, from a table. `--name value` and `--name=value` both work; a
// short name ("-d") too; "--" ends the options. Parsing only: no syscall, no output.
//
//   std::string bundle = ".";
//   bool detach = false;
//   Option options[] = {value("--bundle", "-b", bundle), flag("--detach", "-d", detach)};
//   auto words = parse_options("run", args, options, Positionals::kInterleaved);
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "error.h"

namespace husk::launch::cli {

struct Option {
  std::string_view name;        // "--bundle"
  std::string_view short_name;  // "-b", or empty
  bool takes_value = false;
  std::function<Status(std::string_view)> apply;  // flags get ""
};

Option flag(std::string_view name, std::string_view short_name, bool& target);
Option value(std::string_view name, std::string_view short_name, std::string& target);
Option repeated(std::string_view name, std::string_view short_name,
                std::vector<std::string>& target);
Option count(std::string_view name, std::string_view short_name, int& target);

enum class Positionals {
  kFirstEndsOptions,  // exec ID ARGS...: the words after the first positional are its own
  kInterleaved,       // options may follow the positionals
};

struct Parsed {
  bool help = false;  // -h or --help
  std::vector<std::string> positional;
};

// Errors read "run: --bundle: missing value", "kill: unknown option --x".
Result<Parsed> parse_options(std::string_view verb, std::span<const std::string_view> args,
                             std::span<const Option> options, Positionals positionals);

// A non-negative decimal integer: "--preserve-fds: expected a non-negative integer, got \"x\"".
Result<int> parse_count(std::string_view name, std::string_view text);

}  // namespace husk::launch::cli
