#include "spawn_exec.h"

#include <linux/sched.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "console.h"
#include "fd_passing.h"
#include "image_user.h"
#include "json_text.h"
#include "spawn.h"
#include "stage_runner.h"

namespace husk::launch {
namespace {

class ExecChild : public StageRunner {
 public:
  explicit ExecChild(const ExecPlan& plan) : StageRunner(plan.channel), plan_(plan) {}

  [[noreturn]] void run() {
    if (plan_.parent_end >= 0) ::close(plan_.parent_end);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    // No container process may open our /proc/PID/exe or memory while we join.
    ::prctl(PR_SET_DUMPABLE, 0);
    join_cgroup(plan_.cgroup);
    JoinFailure joined = join_namespaces(*plan_.joins);
    if (joined.error != 0) fail(ChildStage::kJoinNamespaces, joined.error, "setns");
    send(ChildEvent::kNamespaces);
    wait_go();
    if (plan_.fork_after_join) fork_process();  // the pid and time namespaces apply to children
    exec();
  }

 private:
  [[noreturn]] void exec() {
    const oci::Process& process = *plan_.process;
    check(process::apply_process_early(*plan_.prepared));
    if (plan_.console_sink >= 0) {
      auto pty = open_pty();
      if (!pty.ok()) fail(ChildStage::kConsole, pty.error());
      if (::fchown(pty->slave.get(), process.user.uid, static_cast<gid_t>(-1)) != 0 &&
          errno != EINVAL && errno != EPERM)
        fail(ChildStage::kConsole, errno, "chown " + pty->path);
      check(ChildStage::kConsole, attach_terminal(pty->slave.get()));
      if (int error = process::send_fd_with_data(plan_.console_sink, pty->master.get(), pty->path);
          error != 0)
        fail(ChildStage::kConsole, error, "passing the terminal to launch");
    }
    change_directory(process.cwd);
    mark_fds_cloexec(plan_.preserve_fds);
    const std::string& name = process.args.front();
    std::string path;
    if (int error = resolve_executable(name, process.env, path); error != 0)
      fail(ChildStage::kExec, error, "process.args[0] " + json_quote(name));
    const process::ImageUser user = process::read_image_user(plan_.prepared->credentials.uid);
    const ExecVectors vectors(process.args, process.env, user.home);
    check(process::apply_process_final(*plan_.prepared, plan_.listener_sink, user.groups));
    // Credential changes cleared the parent-death signal; a detached process outlives launch.
    ::prctl(PR_SET_PDEATHSIG, plan_.parent_death ? SIGKILL : 0);
    ::sigprocmask(SIG_SETMASK, &plan_.signal_mask, nullptr);
    ::execve(path.c_str(), vectors.argv(), vectors.envp());
    fail(ChildStage::kExec, errno, "process.args[0] " + json_quote(name));
  }

  const ExecPlan& plan_;
};

}  // namespace

Result<pid_t> spawn_exec_child(const ExecPlan& plan) {
  // Not cloned into the v2 cgroup: the parent moves it there once it has joined the container's
  // namespaces (cloned into it, a process exec'd into a memory-limited container was not
  // reaped after the OOM killer's kill on a pure v2 host: LifecycleTest.UpdateEventsAndSignalNames
  // in the VM).
  pid_t pid = clone3_fork(0);
  if (pid < 0) return Error::from_errno("clone3");
  if (pid == 0) ExecChild(plan).run();
  return pid;
}

}  // namespace husk::launch
