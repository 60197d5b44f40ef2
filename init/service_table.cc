#include "service_table.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <new>

#include "dirent64.h"
#include "text.h"
#include "unique_fd.h"

namespace husk {
namespace {

constexpr std::size_t kMaxConfigBytes = 2048;
// Characters that make a --service command a shell command line.
constexpr std::string_view kShellSyntax = "'\"\\$`;&|<>()*?[]{}~#!\n";

// Splits `text` (the spec's own command buffer) on blanks into NUL-separated words.
bool split_words(ServiceSpec& spec) {
  int count = 0;
  char* out = spec.command;
  for (const char* p = spec.command; *p != '\0';) {
    while (*p == ' ' || *p == '\t') ++p;
    if (*p == '\0') break;
    if (count == kMaxServiceArgs) return false;
    while (*p != '\0' && *p != ' ' && *p != '\t') *out++ = *p++;
    const bool last = *p == '\0';
    if (!last) ++p;  // past the blank before the NUL below may overwrite it
    *out++ = '\0';
    ++count;
    if (last) break;
  }
  spec.word_count = static_cast<std::uint8_t>(count);
  spec.kind = CommandKind::kWords;
  return count > 0;
}

// An executable regular file (for the user husk runs as), or the reason it is not.
const char* check_executable(const char* path) {
  struct stat st {};
  if (stat(path, &st) != 0) return std::strerror(errno);
  if (!S_ISREG(st.st_mode)) return "not a regular file";
  if (access(path, X_OK) != 0) return "not executable";
  return nullptr;
}

// Reads the optional config file at `path` into `spec`. Not inlined: its buffer is stack only
// while a file is read.
[[gnu::noinline]] bool read_config(const char* path, ServiceSpec& spec, Message& error) {
  UniqueFd config(open(path, O_RDONLY | O_CLOEXEC));
  if (!config) {
    if (errno == ENOENT) return true;
    error << "service '" << spec.name << "': config: " << std::strerror(errno);
    return false;
  }
  char text[kMaxConfigBytes + 1];
  std::size_t size = 0;
  for (;;) {
    ssize_t n = read(config.get(), text + size, sizeof text - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error << "service '" << spec.name << "': config: " << std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    size += static_cast<std::size_t>(n);
    if (size > kMaxConfigBytes) {
      error << "service '" << spec.name << "': config: larger than " << int{kMaxConfigBytes}
            << " bytes";
      return false;
    }
  }
  const std::size_t mark = error.view().size();  // the reason follows the prefix in place
  error << "service '" << spec.name << "': config ";
  if (parse_service_config(spec, std::string_view(text, size), error)) {
    error.truncate(mark);
    return true;
  }
  return false;
}

}  // namespace

int ServiceTable::find(std::string_view name) const {
  for (int i = 0; i < count_; ++i) {
    if (name == (*this)[i].name) return i;
  }
  return -1;
}

ServiceSpec* ServiceTable::add(std::string_view name, Message& error) {
  if (!valid_service_name(name)) {
    error << "service '" << head(name, 64) << "': invalid name (1 to " << kMaxServiceName
          << " letters, digits, '.', '_' or '-')";
    return nullptr;
  }
  if (find(name) >= 0) {
    error << "service '" << name << "': defined twice";
    return nullptr;
  }
  if (count_ == kMaxServices) {
    error << "service '" << name << "': more than " << kMaxServices << " services";
    return nullptr;
  }
  ServiceSpec* spec = new (slots_[count_++].spec) ServiceSpec();
  copy_cstring(name, spec->name, sizeof spec->name);
  return spec;
}

bool ServiceTable::add_directory_entry(int dir_fd, const char* dir, const char* name,
                                       Message& error) {
  struct stat st {};
  if (fstatat(dir_fd, name, &st, 0) != 0) {
    error << "service '" << name << "': " << std::strerror(errno);
    return false;
  }
  ServiceSpec* spec = add(name, error);
  if (spec == nullptr) return false;
  const bool is_dir = S_ISDIR(st.st_mode);
  // DIR/NAME, or DIR/NAME/run and DIR/NAME/config, in place: no Message on this deep a stack.
  char config[sizeof spec->command + 3];
  std::size_t size = std::strlen(dir) + 1 + std::strlen(name) + (is_dir ? 4 : 0);
  if (size >= sizeof spec->command) {
    error << "service '" << name << "': path too long";
    return false;
  }
  size = 0;
  for (const char* part : {dir, "/", name, is_dir ? "/run" : ""}) {
    while (*part != '\0') config[size++] = *part++;
  }
  config[size] = '\0';
  std::memcpy(spec->command, config, size + 1);
  if (const char* problem = check_executable(spec->command)) {
    error << "service '" << name << "': " << spec->command << ": " << problem;
    return false;
  }
  if (!is_dir) return true;
  std::memcpy(config + size - 3, "config", 7);
  return read_config(config, *spec, error);
}

void ServiceTable::sort_from(int first) {
  for (int i = first + 1; i < count_; ++i) {
    for (int j = i; j > first && std::strcmp((*this)[j - 1].name, (*this)[j].name) > 0; --j) {
      ServiceSpec swap = (*this)[j];
      (*this)[j] = (*this)[j - 1];
      (*this)[j - 1] = swap;
    }
  }
}

bool ServiceTable::load_directory(const char* dir, Message& error) {
  UniqueFd dir_fd(open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir_fd) {
    error << "services directory '" << dir << "': " << std::strerror(errno);
    return false;
  }
  const int first = count_;
  alignas(LinuxDirent64) char buffer[512];
  for (;;) {
    long n = syscall(SYS_getdents64, dir_fd.get(), buffer, sizeof buffer);
    if (n < 0) {
      error << "services directory '" << dir << "': " << std::strerror(errno);
      return false;
    }
    if (n == 0) break;
    for (long offset = 0; offset < n;) {
      auto* entry = reinterpret_cast<LinuxDirent64*>(buffer + offset);
      offset += entry->d_reclen;
      if (entry->d_name[0] == '.') continue;
      if (!add_directory_entry(dir_fd.get(), dir, entry->d_name, error)) return false;
    }
  }
  sort_from(first);
  return true;
}

bool ServiceTable::add_command(std::string_view definition, Message& error) {
  std::size_t eq = definition.find('=');
  if (eq == std::string_view::npos) {
    error << "option --service: expected NAME=COMMAND, got '" << head(definition, 64) << "'";
    return false;
  }
  ServiceSpec* spec = add(head(definition, eq), error);
  if (spec == nullptr) return false;
  std::string_view command = from(definition, eq + 1);
  if (!copy_cstring(command, spec->command, sizeof spec->command)) {
    error << "service '" << spec->name << "': command longer than " << int{sizeof spec->command - 1}
          << " bytes";
    return false;
  }
  if (command.find_first_of(kShellSyntax) != std::string_view::npos) {
    spec->kind = CommandKind::kShell;
    return true;
  }
  if (split_words(*spec)) return true;
  error << "service '" << spec->name
        << "': " << (spec->word_count == 0 ? "empty command" : "more than 31 arguments");
  return false;
}

bool ServiceTable::add_main_command(char* const* argv, Message& error) {
  for (int i = 0; i < count_; ++i) {
    if ((*this)[i].main) {
      error << "service 'main': a command was given, but '" << (*this)[i].name
            << "' is the main service already";
      return false;
    }
  }
  ServiceSpec* spec = add("main", error);
  if (spec == nullptr) return false;
  spec->main = true;
  spec->kind = CommandKind::kArgv;
  spec->main_argv = argv;
  return true;
}

bool ServiceTable::apply_setting(std::string_view setting, Message& error) {
  std::size_t colon = setting.find(':');
  std::size_t eq = setting.find('=');
  if (colon == std::string_view::npos || eq == std::string_view::npos || eq < colon) {
    error << "option --set: expected NAME:KEY=VALUE, got '" << head(setting, 64) << "'";
    return false;
  }
  std::string_view name = head(setting, colon);
  int index = find(name);
  if (index < 0) {
    error << "option --set: no service '" << head(name, 64) << "'";
    return false;
  }
  Message reason;
  if (apply_service_key((*this)[index], head(from(setting, colon + 1), eq - colon - 1),
                        from(setting, eq + 1), reason)) {
    return true;
  }
  error << "service '" << name << "': option --set: " << reason.view();
  return false;
}

void ServiceTable::prefix_output_by_default() {
  for (int i = 0; i < count_; ++i) {
    if (!(*this)[i].log_prefix_set) (*this)[i].log_prefix = true;
  }
}

bool ServiceTable::finish(int default_grace_ms, Message& error) {
  if (count_ == 0) {
    error << "no services to run (an empty services directory?)";
    return false;
  }
  int main_index = -1;
  for (int i = 0; i < count_; ++i) {
    ServiceSpec& spec = (*this)[i];
    if (spec.main) {
      if (main_index >= 0) {
        error << "service '" << spec.name << "': a second main service (the first is '"
              << (*this)[main_index].name << "')";
        return false;
      }
      main_index = i;
    }
    if (spec.ready_fd >= 0 && spec.ready_file[0] != '\0') {
      error << "service '" << spec.name << "': ready-fd and ready-file exclude each other";
      return false;
    }
    if (spec.stop_grace_ms < 0) spec.stop_grace_ms = default_grace_ms;
  }
  return true;
}

}  // namespace husk
