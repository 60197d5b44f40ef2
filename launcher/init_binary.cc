#include "init_binary.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace husk::launch {
namespace {

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

Result<std::string> own_directory() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n < 0) return Error::from_errno("readlink /proc/self/exe");
  std::string exe(buf, static_cast<size_t>(n));
  return exe.substr(0, exe.rfind('/'));
}

}  // namespace

Result<std::string> find_init(const std::string& explicit_path) {
  if (!explicit_path.empty()) {
    if (!is_executable_file(explicit_path))
      return Error::from_errno("--init-path " + explicit_path);
    return explicit_path;
  }
  if (const char* env = std::getenv("HUSK_INIT_PATH"); env && *env) {
    if (!is_executable_file(env)) return Error::from_errno(std::string("HUSK_INIT_PATH ") + env);
    return std::string(env);
  }
  auto dir = own_directory();
  if (!dir.ok()) return std::move(dir).error().context("finding husk");
  for (std::string candidate : {*dir + "/husk", *dir + "/../init/husk"}) {
    if (is_executable_file(candidate)) return candidate;
  }
  return Error("husk not found next to launch (" + *dir +
               "/husk); give --init-path or HUSK_INIT_PATH, or use --no-init");
}

Result<UniqueFd> sealed_copy(const std::string& path) {
  UniqueFd source(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!source) return Error::from_errno("opening " + path);
  struct stat st {};
  if (::fstat(source.get(), &st) != 0) return Error::from_errno("stat " + path);
  UniqueFd memfd(::memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC));
  if (!memfd && errno == EINVAL)  // kernels before 6.3 know no MFD_EXEC
    memfd.reset(::memfd_create("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!memfd) return Error::from_errno("memfd_create for " + path);
  off_t offset = 0;
  while (offset < st.st_size) {
    ssize_t n =
        ::sendfile(memfd.get(), source.get(), &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::from_errno("copying " + path + " into a memfd");
    }
    if (n == 0) return Error("copying " + path + ": file shrank while copied");
  }
  int seals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
  if (::fcntl(memfd.get(), F_ADD_SEALS, seals) != 0)
    return Error::from_errno("sealing the memfd copy of " + path);
  return memfd;
}

std::vector<std::string> init_argv(const std::map<std::string, std::string>& annotations,
                                   const std::vector<std::string>& init_args,
                                   const std::vector<std::string>& process_args) {
  std::vector<std::string> argv{"husk"};
  if (auto it = annotations.find(std::string(kInitArgsAnnotation)); it != annotations.end()) {
    const std::string& words = it->second;
    size_t pos = 0;
    while (pos < words.size()) {
      size_t start = words.find_first_not_of(" \t\n", pos);
      if (start == std::string::npos) break;
      size_t end = words.find_first_of(" \t\n", start);
      if (end == std::string::npos) end = words.size();
      argv.push_back(words.substr(start, end - start));
      pos = end;
    }
  }
  argv.insert(argv.end(), init_args.begin(), init_args.end());
  argv.emplace_back("--");
  argv.insert(argv.end(), process_args.begin(), process_args.end());
  return argv;
}

}  // namespace husk::launch
