#include "seccomp_cache.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "json_text.h"
#include "sha256.h"
#include "unique_fd.h"

namespace husk::process {
namespace {

constexpr char kMagic[8] = {'H', 'U', 'S', 'K', 'B', 'P', 'F', '1'};
constexpr size_t kMaxInstructions = 4096;
constexpr size_t kMaxArchitectures = 16;

struct Header {
  char magic[8];
  uint8_t key[32];
  uint32_t flags;
  uint32_t new_listener;
  uint32_t architectures;
  uint32_t instructions;
};

void append(std::string& out, const void* data, size_t size) {
  out.append(static_cast<const char*>(data), size);
}

// The profile as compile_seccomp reads it, one field a line, strings JSON-quoted.
std::string profile_text(const oci::Seccomp& s) {
  auto optional_number = [](const std::optional<uint32_t>& v) {
    return v ? std::to_string(*v) : std::string("-");
  };
  std::string text = "defaultAction " + json_quote(s.default_action) + " " +
                     optional_number(s.default_errno_ret) + "\n";
  for (const std::string& arch : s.architectures) text += "arch " + json_quote(arch) + "\n";
  for (const std::string& flag : s.flags) text += "flag " + json_quote(flag) + "\n";
  text += "listenerPath " + (s.listener_path ? json_quote(*s.listener_path) : "-") + "\n";
  text +=
      "listenerMetadata " + (s.listener_metadata ? json_quote(*s.listener_metadata) : "-") + "\n";
  for (const oci::SeccompSyscall& call : s.syscalls) {
    text += "syscall " + json_quote(call.action) + " " + optional_number(call.errno_ret);
    for (const std::string& name : call.names) text += " " + json_quote(name);
    text += "\n";
    for (const oci::SeccompArg& arg : call.args)
      text += " arg " + std::to_string(arg.index) + " " + json_quote(arg.op) + " " +
              std::to_string(arg.value) + " " + std::to_string(arg.value_two) + "\n";
  }
  return text;
}

Sha256::Digest key_digest(const oci::Seccomp& seccomp) {
  const scmp_version* version = seccomp_version();
  Sha256 sha;
  sha.update("husk seccomp cache 1\nlibseccomp ");
  sha.update(std::to_string(version->major) + "." + std::to_string(version->minor) + "." +
             std::to_string(version->micro));
  sha.update("\nnative " + std::to_string(seccomp_arch_native()) + "\n");
  sha.update(profile_text(seccomp));
  return sha.finish();
}

// The folder, made when missing; whether it may be used (launch's own, 0700, not a link).
bool usable_dir(const std::string& dir) {
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return false;
  struct stat st {};
  return ::lstat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == ::geteuid() &&
         (st.st_mode & 07777) == 0700;
}

// The cached filter, or nullopt when the file is missing or anything about it is off.
std::optional<CompiledSeccomp> read_cached(const std::string& path, const Sha256::Digest& key) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid() ||
      (st.st_mode & 07777) != 0600)
    return std::nullopt;
  const size_t most = sizeof(Header) + kMaxArchitectures * sizeof(uint32_t) +
                      kMaxInstructions * sizeof(sock_filter) + 32;
  const auto size = static_cast<size_t>(st.st_size);
  if (size < sizeof(Header) + 32 || size > most) return std::nullopt;
  std::string data(size, '\0');
  if (::pread(fd.get(), data.data(), size, 0) != static_cast<ssize_t>(size)) return std::nullopt;

  Header header{};
  std::memcpy(&header, data.data(), sizeof header);
  if (std::memcmp(header.magic, kMagic, sizeof kMagic) != 0 ||
      std::memcmp(header.key, key.data(), key.size()) != 0)
    return std::nullopt;
  if (header.architectures == 0 || header.architectures > kMaxArchitectures ||
      header.instructions == 0 || header.instructions > kMaxInstructions || header.new_listener > 1)
    return std::nullopt;
  const size_t body = sizeof header + header.architectures * sizeof(uint32_t) +
                      header.instructions * sizeof(sock_filter);
  if (size != body + 32) return std::nullopt;
  const Sha256::Digest sum = Sha256::of(std::string_view(data).substr(0, body));
  if (std::memcmp(sum.data(), data.data() + body, sum.size()) != 0) return std::nullopt;

  CompiledSeccomp compiled;
  compiled.flags = header.flags;
  compiled.new_listener = header.new_listener == 1;
  compiled.architectures.resize(header.architectures);
  const char* at = data.data() + sizeof header;
  std::memcpy(compiled.architectures.data(), at, header.architectures * sizeof(uint32_t));
  at += header.architectures * sizeof(uint32_t);
  compiled.program.resize(header.instructions);
  std::memcpy(compiled.program.data(), at, header.instructions * sizeof(sock_filter));
  return compiled;
}

// Best effort: a cache that cannot be written costs the next start a compile, nothing more.
void store(const std::string& dir, const std::string& path, const Sha256::Digest& key,
           const CompiledSeccomp& compiled) {
  if (compiled.program.empty() || compiled.program.size() > kMaxInstructions ||
      compiled.architectures.empty() || compiled.architectures.size() > kMaxArchitectures)
    return;
  Header header{};
  std::memcpy(header.magic, kMagic, sizeof kMagic);
  std::memcpy(header.key, key.data(), key.size());
  header.flags = compiled.flags;
  header.new_listener = compiled.new_listener ? 1 : 0;
  header.architectures = static_cast<uint32_t>(compiled.architectures.size());
  header.instructions = static_cast<uint32_t>(compiled.program.size());
  std::string data;
  append(data, &header, sizeof header);
  append(data, compiled.architectures.data(), compiled.architectures.size() * sizeof(uint32_t));
  append(data, compiled.program.data(), compiled.program.size() * sizeof(sock_filter));
  const Sha256::Digest sum = Sha256::of(data);
  append(data, sum.data(), sum.size());

  uint32_t random = 0;
  (void)::getrandom(&random, sizeof random, GRND_NONBLOCK);
  char suffix[32];
  (void)std::snprintf(suffix, sizeof suffix, ".tmp-%d-%08x", static_cast<int>(::getpid()), random);
  const std::string temp = dir + "/" + suffix;
  UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd) return;
  // The mode regardless of the umask: the reader wants 0600 exactly.
  bool ok = ::fchmod(fd.get(), 0600) == 0 &&
            ::write(fd.get(), data.data(), data.size()) == static_cast<ssize_t>(data.size());
  fd.reset();
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) ::unlink(temp.c_str());
}

}  // namespace

const char* seccomp_source_name(SeccompSource source) {
  switch (source) {
    case SeccompSource::kCompiled:
      return "compiled";
    case SeccompSource::kCached:
      return "cached";
    case SeccompSource::kStored:
      return "compiled and cached";
  }
  return "";
}

std::string seccomp_cache_key(const oci::Seccomp& seccomp) {
  return Sha256::hex(key_digest(seccomp));
}

Result<CompiledSeccomp> compile_seccomp_cached(const oci::Seccomp& seccomp, const std::string& dir,
                                               SeccompSource* source) {
  *source = SeccompSource::kCompiled;
  if (dir.empty() || !usable_dir(dir)) return compile_seccomp(seccomp);
  const Sha256::Digest key = key_digest(seccomp);
  const std::string path = dir + "/" + Sha256::hex(key) + ".bpf";
  if (auto cached = read_cached(path, key)) {
    cached->listener_path = seccomp.listener_path.value_or("");
    cached->listener_metadata = seccomp.listener_metadata.value_or("");
    *source = SeccompSource::kCached;
    return std::move(*cached);
  }
  auto compiled = compile_seccomp(seccomp);
  if (!compiled.ok()) return compiled;
  store(dir, path, key, *compiled);
  *source = SeccompSource::kStored;
  return compiled;
}

}  // namespace husk::process
