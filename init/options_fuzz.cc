// A libFuzzer target for husk's command line and environment: the input is NUL-separated
// strings, argv's (after "husk") up to an empty one, then envp's. parse_options() must give an
// action, and an error line that is non-empty and one line. Built and run by tests/fuzz.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> args{"husk"};
  std::vector<std::string> env;
  bool in_env = false;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    std::string item = text.substr(start, end - start);
    if (!in_env && item.empty()) {
      in_env = true;
    } else {
      (in_env ? env : args).push_back(std::move(item));
    }
    start = end + 1;
  }
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  envp.reserve(env.size() + 1);
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  husk::ParseResult result =
      husk::parse_options(static_cast<int>(args.size()), argv.data(), envp.data());
  if (result.action == husk::Action::kError) {
    std::string_view line = result.error.view();
    if (line.empty()) __builtin_trap();
  }
  if (result.action == husk::Action::kRun && !result.options.pause &&
      !result.options.supervises_services() && result.options.command == nullptr) {
    __builtin_trap();  // a run needs a command, or services to supervise
  }
  return 0;
}
