#include "seccomp_filter.h"

#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>

#include <gtest/gtest.h>

#include <sstream>

namespace husk::process {
namespace {

TEST(SeccompNames, Actions) {
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_ALLOW", 1), SCMP_ACT_ALLOW);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_KILL", 1), SCMP_ACT_KILL);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_KILL_PROCESS", 1), SCMP_ACT_KILL_PROCESS);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_KILL_THREAD", 1), SCMP_ACT_KILL_THREAD);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_TRAP", 1), SCMP_ACT_TRAP);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_ERRNO", 38), SCMP_ACT_ERRNO(38));
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_TRACE", 7), SCMP_ACT_TRACE(7));
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_LOG", 1), SCMP_ACT_LOG);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_NOTIFY", 1), SCMP_ACT_NOTIFY);
  EXPECT_EQ(seccomp_action_from_name("SCMP_ACT_ALLOW_ALL", 1), std::nullopt);
}

TEST(SeccompNames, OperatorsArchitecturesFlags) {
  EXPECT_EQ(seccomp_operator_from_name("SCMP_CMP_EQ"), SCMP_CMP_EQ);
  EXPECT_EQ(seccomp_operator_from_name("SCMP_CMP_MASKED_EQ"), SCMP_CMP_MASKED_EQ);
  EXPECT_EQ(seccomp_operator_from_name("SCMP_CMP_FOO"), std::nullopt);
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_X86_64"), AUDIT_ARCH_X86_64);
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_X86"), AUDIT_ARCH_I386);
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_AARCH64"), AUDIT_ARCH_AARCH64);
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_x86_64"), std::nullopt);
  EXPECT_EQ(seccomp_arch_from_name("x86_64"), std::nullopt);
  EXPECT_EQ(seccomp_arch_from_name("SCMP_ARCH_VAX"), std::nullopt);
  EXPECT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_LOG"), SECCOMP_FILTER_FLAG_LOG);
  EXPECT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_SPEC_ALLOW"),
            SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  EXPECT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"), 1U << 5);
  EXPECT_EQ(seccomp_flag_from_name("SECCOMP_FILTER_FLAG_NEW_LISTENER"), std::nullopt);
}

// A default-deny profile in the shape container engines ship: an allow list of the usual
// syscalls, a few with argument conditions, architectures for x86.
oci::Seccomp docker_like_profile() {
  std::istringstream names(
      "accept accept4 access alarm bind brk capget capset chdir chmod chown clock_getres "
      "clock_gettime clock_nanosleep close connect copy_file_range creat dup dup2 dup3 "
      "epoll_create epoll_create1 epoll_ctl epoll_pwait epoll_wait eventfd eventfd2 execve "
      "execveat exit exit_group faccessat faccessat2 fadvise64 fallocate fchdir fchmod fchmodat "
      "fchown fchownat fcntl fdatasync flock fork fstat fstatfs fsync ftruncate futex getcwd "
      "getdents getdents64 getegid geteuid getgid getgroups getitimer getpeername getpgid "
      "getpgrp getpid getppid getpriority getrandom getresgid getresuid getrlimit getrusage "
      "getsid getsockname getsockopt gettid gettimeofday getuid getxattr inotify_add_watch "
      "inotify_init1 inotify_rm_watch ioctl kill lchown lgetxattr link linkat listen lseek "
      "lstat madvise memfd_create mincore mkdir mkdirat mknod mknodat mlock mmap mprotect "
      "mremap msync munlock munmap nanosleep newfstatat open openat openat2 pause pidfd_open "
      "pipe pipe2 poll ppoll prctl pread64 preadv prlimit64 pselect6 pwrite64 pwritev read "
      "readlink readlinkat readv recvfrom recvmmsg recvmsg rename renameat renameat2 "
      "restart_syscall rmdir rseq rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo "
      "rt_sigreturn rt_sigsuspend rt_sigtimedwait sched_getaffinity sched_yield select sendfile "
      "sendmmsg sendmsg sendto set_robust_list set_tid_address setgid setgroups setitimer "
      "setpgid setpriority setresgid setresuid setsid setsockopt setuid shutdown sigaltstack "
      "socket socketpair splice stat statfs statx symlink symlinkat sync sysinfo tee tgkill "
      "time timer_create timer_delete timerfd_create timerfd_settime times tkill truncate "
      "umask uname unlink unlinkat utimensat vfork wait4 waitid write writev "
      "socketcall _llseek husk_syscall_of_the_future");
  oci::SeccompSyscall allow;
  allow.action = "SCMP_ACT_ALLOW";
  for (std::string name; names >> name;) allow.names.push_back(name);

  oci::SeccompSyscall personality;
  personality.names = {"personality"};
  personality.action = "SCMP_ACT_ALLOW";
  personality.args = {{0, 0, 0, "SCMP_CMP_EQ"}};
  oci::SeccompSyscall personality2 = personality;
  personality2.args = {{0, 8, 0, "SCMP_CMP_EQ"}};

  oci::SeccompSyscall clone;
  clone.names = {"clone"};
  clone.action = "SCMP_ACT_ALLOW";
  clone.args = {{0, 0x7E020000, 0, "SCMP_CMP_MASKED_EQ"}};

  oci::SeccompSyscall ptrace;
  ptrace.names = {"ptrace"};
  ptrace.action = "SCMP_ACT_ERRNO";
  ptrace.errno_ret = 38;

  oci::Seccomp profile;
  profile.default_action = "SCMP_ACT_ERRNO";
  profile.default_errno_ret = 1;
  profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  profile.syscalls = {allow, personality, personality2, clone, ptrace};
  return profile;
}

TEST(SeccompCompile, DockerLikeProfile) {
  auto compiled = compile_seccomp(docker_like_profile());
  ASSERT_TRUE(compiled.ok()) << compiled.error().text();
  EXPECT_GT(compiled->program.size(), 100U);
  EXPECT_LE(compiled->program.size(), 4096U);
  // The program starts by loading seccomp_data.arch (offset 4).
  EXPECT_EQ(compiled->program[0].code, BPF_LD | BPF_W | BPF_ABS);
  EXPECT_EQ(compiled->program[0].k, 4U);
  EXPECT_EQ(compiled->architectures,
            (std::vector<uint32_t>{AUDIT_ARCH_X86_64, AUDIT_ARCH_I386,
                                   AUDIT_ARCH_X86_64 & ~__AUDIT_ARCH_64BIT}));
  EXPECT_EQ(compiled->flags, 0U);
  EXPECT_FALSE(compiled->new_listener);
}

// Allows everything but `name`, which gets SCMP_ACT_ERRNO under `args`.
oci::Seccomp deny_one(std::string name, std::vector<oci::SeccompArg> args = {}) {
  oci::Seccomp profile;
  profile.default_action = "SCMP_ACT_ALLOW";
  profile.syscalls = {{{std::move(name)}, "SCMP_ACT_ERRNO", std::nullopt, std::move(args)}};
  return profile;
}

TEST(SeccompCompile, RepeatedArgumentIndexesBecomeSeparateRules) {
  oci::Seccomp profile =
      deny_one("personality", {{0, 1, 0, "SCMP_CMP_EQ"}, {0, 2, 0, "SCMP_CMP_EQ"}});
  // One rule with both conditions would be "arg0 == 1 && arg0 == 2", which libseccomp refuses.
  auto compiled = compile_seccomp(profile);
  ASSERT_TRUE(compiled.ok()) << compiled.error().text();
  EXPECT_FALSE(compiled->program.empty());
}

TEST(SeccompCompile, FlagsAndListener) {
  oci::Seccomp profile;
  profile.default_action = "SCMP_ACT_ALLOW";
  profile.flags = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                   "SECCOMP_FILTER_FLAG_SPEC_ALLOW"};
  oci::SeccompSyscall notify;
  notify.names = {"mkdir"};
  notify.action = "SCMP_ACT_NOTIFY";
  profile.syscalls = {notify};
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.listenerPath: SCMP_ACT_NOTIFY needs a listener path");
  profile.listener_path = "/run/agent.sock";
  profile.listener_metadata = "meta";
  auto compiled = compile_seccomp(profile);
  ASSERT_TRUE(compiled.ok()) << compiled.error().text();
  EXPECT_EQ(compiled->flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  EXPECT_TRUE(compiled->new_listener);
  EXPECT_EQ(compiled->listener_path, "/run/agent.sock");
  EXPECT_EQ(compiled->listener_metadata, "meta");
}

TEST(SeccompCompile, Errors) {
  oci::Seccomp profile;
  profile.default_action = "SCMP_ACT_DENY";
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\"");
  profile.default_action = "SCMP_ACT_NOTIFY";
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default "
            "action");
  profile.default_action = "SCMP_ACT_ERRNO";
  profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_PDP11"};
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.architectures[1]: unknown architecture "
            "\"SCMP_ARCH_PDP11\"");
  profile.architectures = {};
  profile.flags = {"SECCOMP_FILTER_FLAG_FOO"};
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_FOO\"");
  profile.flags = {};
  oci::SeccompSyscall rule;
  rule.names = {"read"};
  rule.action = "SCMP_ACT_ALLOWED";
  profile.syscalls = {rule};
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.syscalls[0].action: unknown action "
            "\"SCMP_ACT_ALLOWED\"");
  rule.action = "SCMP_ACT_ALLOW";
  rule.args = {{0, 1, 0, "SCMP_CMP_EQ"}, {1, 1, 0, "SCMP_CMP_LIKE"}};
  profile.syscalls = {rule};
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.syscalls[0].args[1].op: unknown operator "
            "\"SCMP_CMP_LIKE\"");
  rule.args = {{6, 1, 0, "SCMP_CMP_EQ"}};
  profile.syscalls = {rule};
  EXPECT_EQ(compile_seccomp(profile).error().text(),
            ".linux.seccomp.syscalls[0].args[0].index: 6 is not an argument number "
            "(0..5)");
}

TEST(SeccompCompile, UnknownSyscallNamesAreSkipped) {
  auto compiled = compile_seccomp(deny_one("husk_syscall_of_the_future"));
  ASSERT_TRUE(compiled.ok()) << compiled.error().text();
  EXPECT_FALSE(compiled->program.empty());
}

TEST(SeccompAgent, ContainerProcessState) {
  EXPECT_EQ(container_process_state(R"({"id":"c1"})", 42, "a\"b\\c\n"),
            R"({"ociVersion":"1.2.0","fds":["seccompFd"],"pid":42,"metadata":"a\"b\\c\n",)"
            R"("state":{"id":"c1"}})");
}

}  // namespace
}  // namespace husk::process
