#include "seccomp_filter.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "fd_passing.h"
#include "json_text.h"
#include "names.h"

namespace husk::process {
namespace {

constexpr uint32_t kDefaultErrno = EPERM;
constexpr size_t kMaxInstructions = 4096;  // BPF_MAXINSNS

// SCMP_ACT_ERRNO and SCMP_ACT_TRACE carry errnoRet; the table holds their base values.
constexpr std::array<NamedValue<uint32_t>, 9> kActions{{
    {"SCMP_ACT_KILL", SCMP_ACT_KILL},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0)},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0)},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY},
}};

constexpr std::array<NamedValue<int>, 7> kOperators{{
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
}};

constexpr unsigned int kFlagTsync = SECCOMP_FILTER_FLAG_TSYNC;
constexpr std::array<NamedValue<unsigned int>, 4> kFlags{{
    {"SECCOMP_FILTER_FLAG_TSYNC", kFlagTsync},
    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1U << 5},
}};

struct ContextDeleter {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Context = std::unique_ptr<void, ContextDeleter>;

std::string quoted(std::string_view name) {
  std::string text(1, '"');
  text += name;
  text += '"';
  return text;
}

// The filter as BPF instructions: exported by libseccomp into a memfd and read back.
Result<std::vector<sock_filter>> export_program(scmp_filter_ctx ctx) {
  UniqueFd fd(memfd_create("husk-seccomp", MFD_CLOEXEC));
  if (!fd) return Error::from_errno("memfd_create");
  if (int r = seccomp_export_bpf(ctx, fd.get()); r < 0) return Error("seccomp_export_bpf", -r);
  struct stat st {};
  if (fstat(fd.get(), &st) != 0) return Error::from_errno("fstat of the exported filter");
  std::vector<sock_filter> program(static_cast<size_t>(st.st_size) / sizeof(sock_filter));
  const size_t bytes = program.size() * sizeof(sock_filter);
  if (pread(fd.get(), program.data(), bytes, 0) != static_cast<ssize_t>(bytes))
    return Error::from_errno("reading the exported filter");
  return program;
}

// Adds the rules of one syscalls[] entry.
Status add_rules(scmp_filter_ctx ctx, const oci::SeccompSyscall& syscall, uint32_t action,
                 const std::string& where) {
  std::vector<scmp_arg_cmp> conditions;
  std::set<uint32_t> indexes;
  bool repeated_index = false;
  for (size_t i = 0; i < syscall.args.size(); ++i) {
    const oci::SeccompArg& arg = syscall.args[i];
    std::string arg_where = where + ".args[" + std::to_string(i) + "]";
    std::optional<int> op = seccomp_operator_from_name(arg.op);
    if (!op) return Error(arg_where + ".op: unknown operator " + quoted(arg.op));
    if (arg.index > 5)
      return Error(arg_where + ".index: " + std::to_string(arg.index) +
                   " is not an argument number (0..5)");
    repeated_index |= !indexes.insert(arg.index).second;
    conditions.push_back({arg.index, static_cast<scmp_compare>(*op), arg.value, arg.value_two});
  }

  for (size_t j = 0; j < syscall.names.size(); ++j) {
    const std::string& name = syscall.names[j];
    int nr = seccomp_syscall_resolve_name(name.c_str());
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp and arch: skipped
    auto fail = [&](int r) {
      std::string what = where;
      what += ".names[" + std::to_string(j) + "]: adding a rule for ";
      what += name;
      return Error(std::move(what), -r);
    };
    if (repeated_index) {  // one rule per condition: any of them matches
      for (const scmp_arg_cmp& condition : conditions)
        if (int r = seccomp_rule_add_array(ctx, action, nr, 1, &condition); r < 0) return fail(r);
    } else if (int r =
                   seccomp_rule_add_array(ctx, action, nr, conditions.size(), conditions.data());
               r < 0) {
      return fail(r);
    }
  }
  return {};
}

}  // namespace

std::optional<uint32_t> seccomp_action_from_name(std::string_view name, uint32_t errno_ret) {
  std::optional<uint32_t> action = value_of<uint32_t>(kActions, name);
  if (!action) return std::nullopt;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(errno_ret);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(errno_ret);
  return action;
}

std::optional<int> seccomp_operator_from_name(std::string_view name) {
  return value_of<int>(kOperators, name);
}

std::optional<uint32_t> seccomp_arch_from_name(std::string_view name) {
  constexpr std::string_view kPrefix = "SCMP_ARCH_";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.size() == kPrefix.size())
    return std::nullopt;
  std::string lower;
  for (char c : name.substr(kPrefix.size())) {
    if (std::islower(static_cast<unsigned char>(c))) return std::nullopt;
    lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  uint32_t arch = seccomp_arch_resolve_name(lower.c_str());
  if (arch == 0) return std::nullopt;
  return arch;
}

std::optional<unsigned int> seccomp_flag_from_name(std::string_view name) {
  return value_of<unsigned int>(kFlags, name);
}

Result<CompiledSeccomp> compile_seccomp(const oci::Seccomp& seccomp) {
  const std::string where = ".linux.seccomp";
  CompiledSeccomp compiled;

  std::optional<uint32_t> default_action = seccomp_action_from_name(
      seccomp.default_action, seccomp.default_errno_ret.value_or(kDefaultErrno));
  if (!default_action)
    return Error(where + ".defaultAction: unknown action " + quoted(seccomp.default_action));
  if (*default_action == SCMP_ACT_NOTIFY)
    return Error(where + ".defaultAction: SCMP_ACT_NOTIFY cannot be the default action");

  Context ctx(seccomp_init(*default_action));
  if (!ctx) return Error(where + ": seccomp_init failed");
  // libseccomp's default linear filter, not SCMP_FLTATR_CTL_OPTIMIZE=2 (a binary tree): for a
  // 330-syscall allow list on three x86 architectures the tree takes ~95 ms to build against
  // ~68 ms (libseccomp 2.5.4), and start-up time is what launch is measured on.

  compiled.architectures.push_back(seccomp_arch_native());
  for (size_t i = 0; i < seccomp.architectures.size(); ++i) {
    const std::string& name = seccomp.architectures[i];
    std::string arch_where = where + ".architectures[" + std::to_string(i) + "]";
    std::optional<uint32_t> arch = seccomp_arch_from_name(name);
    if (!arch) return Error(arch_where + ": unknown architecture " + quoted(name));
    int r = seccomp_arch_add(ctx.get(), *arch);
    if (r == -EEXIST) continue;
    if (r < 0) return Error(arch_where.append(": adding ").append(name), -r);
    compiled.architectures.push_back(*arch);
  }

  for (size_t i = 0; i < seccomp.flags.size(); ++i) {
    std::optional<unsigned int> flag = seccomp_flag_from_name(seccomp.flags[i]);
    if (!flag)
      return Error(where + ".flags[" + std::to_string(i) + "]: unknown flag " +
                   quoted(seccomp.flags[i]));
    if (*flag != kFlagTsync) compiled.flags |= *flag;
  }

  for (size_t i = 0; i < seccomp.syscalls.size(); ++i) {
    const oci::SeccompSyscall& syscall = seccomp.syscalls[i];
    std::string syscall_where = where + ".syscalls[" + std::to_string(i) + "]";
    std::optional<uint32_t> action =
        seccomp_action_from_name(syscall.action, syscall.errno_ret.value_or(kDefaultErrno));
    if (!action) return Error(syscall_where + ".action: unknown action " + quoted(syscall.action));
    if (*action == SCMP_ACT_NOTIFY) compiled.new_listener = true;
    if (*action == *default_action) continue;  // nothing to add; libseccomp refuses it
    HUSK_TRY(add_rules(ctx.get(), syscall, *action, syscall_where));
  }

  if (compiled.new_listener) {
    if (!seccomp.listener_path || seccomp.listener_path->empty())
      return Error(where + ".listenerPath: SCMP_ACT_NOTIFY needs a listener path");
    if (seccomp.listener_path->size() >= sizeof(sockaddr_un::sun_path))
      return Error(where + ".listenerPath: longer than a unix socket path can be");
  }
  compiled.listener_path = seccomp.listener_path.value_or("");
  compiled.listener_metadata = seccomp.listener_metadata.value_or("");

  auto program = export_program(ctx.get());
  if (!program) return std::move(program).error().context(where);
  if (program->size() > kMaxInstructions)
    return Error(where + ": the filter has " + std::to_string(program->size()) +
                 " instructions, more than the kernel's " + std::to_string(kMaxInstructions));
  compiled.program = std::move(*program);
  return compiled;
}

ApplyFailure load_seccomp(const CompiledSeccomp& seccomp, int listener_sink) {
  sock_fprog prog{static_cast<unsigned short>(seccomp.program.size()),
                  const_cast<sock_filter*>(seccomp.program.data())};
  unsigned int flags = seccomp.flags;
  if (seccomp.new_listener) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (r < 0) return {Stage::kSeccompLoad, 0, errno};
  if (seccomp.new_listener) {
    UniqueFd listener(static_cast<int>(r));
    if (listener_sink < 0) return {Stage::kSeccompListener, 0, EBADF};
    if (int error = send_fd(listener_sink, listener.get()); error != 0)
      return {Stage::kSeccompListener, 0, error};
    // Nothing runs under the filter before its agent holds the listener.
    char delivered = 0;
    ssize_t n = 0;
    do n = read(listener_sink, &delivered, 1);
    while (n < 0 && errno == EINTR);
    if (n != 1) return {Stage::kSeccompListener, 0, n < 0 ? errno : ECONNABORTED};
  }
  return ApplyFailure::none();
}

std::string container_process_state(std::string_view state_json, pid_t pid,
                                    std::string_view metadata) {
  return "{\"ociVersion\":\"1.2.0\",\"fds\":[\"seccompFd\"],\"pid\":" + std::to_string(pid) +
         ",\"metadata\":" + json_quote(metadata) + ",\"state\":" + std::string(state_json) + "}";
}

Status send_to_seccomp_agent(const CompiledSeccomp& seccomp, int listener_fd, pid_t pid,
                             std::string_view state_json) {
  const std::string where = "linux.seccomp.listenerPath " + seccomp.listener_path;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (seccomp.listener_path.size() >= sizeof address.sun_path)
    return Error(where + ": path too long");
  std::memcpy(address.sun_path, seccomp.listener_path.c_str(), seccomp.listener_path.size());
  UniqueFd sock(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return Error::from_errno(where + ": socket");
  if (connect(sock.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
    return Error::from_errno(where + ": connect");
  std::string message = container_process_state(state_json, pid, seccomp.listener_metadata);
  if (int error = send_fd_with_data(sock.get(), listener_fd, message); error != 0)
    return Error(where + ": sending the listener fd", error);
  return {};
}

Status hand_listener_to_agent(const CompiledSeccomp& seccomp, int sink, int listener_fd, pid_t pid,
                              std::string_view state_json) {
  HUSK_TRY(send_to_seccomp_agent(seccomp, listener_fd, pid, state_json));
  ssize_t n = 0;
  do n = write(sink, "1", 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    return Error::from_errno("linux.seccomp: telling the container its agent has the listener");
  return {};
}

}  // namespace husk::process
