// husk_probe: a small program the end-to-end tests run under husk. It reports what it sees on
// stdout, one fact a line, written with write(2) so that nothing is buffered across a fork.
//
//   probe signals [EXIT_SIG]   record every catchable signal ("sig N"); exit 0 on EXIT_SIG (TERM)
//   probe group                as `signals`, plus a grandchild in the same process group
//   probe status               print SigBlk, SigIgn, pgrp, foreground pgrp, cwd and open fds
//   probe args ARGS...         print each argument ("arg X")
//   probe exit CODE            exit with CODE
//   probe raise SIG            die of SIG
//   probe orphans DEAD ALIVE [held]   leave orphans to husk, then wait for SIGTERM; with `held`,
//                              say "zombies N" once the dead ones have exited and hand them over
//                              only after a byte arrives on stdin (for bench/init/init_bench)
//   probe orphan-waves WAVES N   leave WAVES waves of N orphans, one after the other, then wait
//                              for SIGTERM
//   probe tree KIND...         start background processes (trap:MS, ignore, daemon), then exit 3
//   probe ignore-term          ignore SIGTERM; exit 0 on SIGUSR1
//   probe count [RT [no-queue]]  count SIGUSR2 and signal RT ("usr2-progress N" each 1000,
//                              "rt-progress N" each 500); print the counts on SIGTERM
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <dirent.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace {

volatile sig_atomic_t g_exit_signal = 0;  // the only global: set once before handlers run
volatile sig_atomic_t g_trap_ms = 0;

void say(const char* text) {
  size_t n = strlen(text);
  while (n > 0) {
    ssize_t w = write(1, text, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    text += w;
    n -= static_cast<size_t>(w);
  }
}

void sayf(const char* format, long a, long b = 0, long c = 0) {
  char line[256];
  snprintf(line, sizeof line, format, a, b, c);
  say(line);
}

// Async-signal-safe: formats by hand.
void on_signal(int sig) {
  char line[48] = "sig ";
  char digits[16];
  int n = 0;
  int v = sig;
  do {
    digits[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v > 0);
  int i = 4;
  while (n > 0) line[i++] = digits[--n];
  line[i++] = '\n';
  if (write(1, line, i) < 0) {
  }
  if (sig == g_exit_signal) _exit(0);
}

void record_all_signals() {
  for (int sig = 1; sig <= SIGRTMAX; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP || sig == SIGCHLD) continue;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(sig, &sa, nullptr) != 0) sayf("unhandled %ld\n", sig);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void wait_forever() {
  for (;;) pause();
}

int signals_mode(int argc, char** argv) {
  g_exit_signal = argc > 2 ? atoi(argv[2]) : SIGTERM;
  record_all_signals();
  say("ready\n");
  wait_forever();
}

int group_mode() {
  g_exit_signal = SIGTERM;
  int ready[2];
  if (pipe(ready) != 0) return 2;
  pid_t grandchild = fork();
  if (grandchild == 0) {
    record_all_signals();
    close(ready[1]);
    wait_forever();
  }
  close(ready[1]);
  char c;
  while (read(ready[0], &c, 1) < 0 && errno == EINTR) {
  }
  record_all_signals();
  sayf("ready grandchild %ld\n", grandchild);
  wait_forever();
}

void print_status_line(const char* key) {
  FILE* f = fopen("/proc/self/status", "re");
  if (f == nullptr) return;
  char line[256];
  while (fgets(line, sizeof line, f) != nullptr) {
    if (strncmp(line, key, strlen(key)) == 0) say(line);
  }
  fclose(f);
}

int status_mode() {
  print_status_line("SigBlk:");
  print_status_line("SigIgn:");
  sayf("pid %ld pgrp %ld foreground %ld\n", getpid(), getpgrp(), tcgetpgrp(0));
  char cwd[512];
  if (getcwd(cwd, sizeof cwd) != nullptr) {
    say("cwd ");
    say(cwd);
    say("\n");
  }
  DIR* dir = opendir("/proc/self/fd");
  int own = dirfd(dir);
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.' || atoi(entry->d_name) == own) continue;
    sayf("fd %ld\n", atoi(entry->d_name));
  }
  closedir(dir);
  return 0;
}

int raise_mode(int sig) {
  signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  kill(getpid(), sig);
  for (int i = 0; i < 100; ++i) usleep(10000);
  return 200;  // the signal did not kill us
}

// Leaves DEAD orphans that are zombies when they re-parent to husk and ALIVE ones that die
// after it, all at once: their parent exits with them in place. `held`: that parent waits for a
// byte on stdin first, so a caller can read the init's state just before the hand-over.
int orphans_mode(long dead, long alive, bool held) {
  // gate: the live orphans wait for its EOF. done: its EOF says that the dead ones have exited
  // (each holds the write end until it dies).
  int gate[2], done[2];
  if (pipe(gate) != 0 || pipe(done) != 0) return 2;
  pid_t parent = fork();
  if (parent == 0) {
    for (long i = 0; i < dead + alive; ++i) {
      pid_t pid = fork();
      if (pid < 0) {
        sayf("fork failed after %ld\n", i);
        _exit(1);
      }
      if (pid == 0) {
        if (i >= dead) {
          close(gate[1]);
          close(done[1]);
          char c;
          while (read(gate[0], &c, 1) < 0 && errno == EINTR) {
          }
        }
        _exit(0);
      }
    }
    close(done[1]);
    char c;
    while (read(done[0], &c, 1) < 0 && errno == EINTR) {
    }
    if (held) {
      sayf("zombies %ld\n", dead);
      while (read(0, &c, 1) < 0 && errno == EINTR) {
      }
    }
    _exit(0);
  }
  close(gate[0]);
  close(done[1]);
  close(done[0]);
  waitpid(parent, nullptr, 0);
  close(gate[1]);  // the live orphans now die
  sayf("orphans %ld\n", dead + alive);
  g_exit_signal = SIGTERM;
  record_all_signals();
  say("ready\n");
  wait_forever();
}

// Leaves WAVES waves of N orphans that exit at once, one wave after the other: more orphans in
// all than the host's pid_max allows at a time. A fork that finds no free pid (husk has not
// reaped the last wave yet) is tried again.
int orphan_waves_mode(long waves, long per_wave) {
  for (long wave = 0; wave < waves; ++wave) {
    pid_t parent = fork();
    if (parent < 0) return 2;
    if (parent == 0) {
      for (long i = 0, retries = 0; i < per_wave;) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        if (pid > 0) {
          ++i;
        } else if (errno != EAGAIN || ++retries > 20000) {
          sayf("fork failed after %ld\n", i);
          _exit(1);
        } else {
          usleep(500);
        }
      }
      _exit(0);
    }
    int status = 0;
    while (waitpid(parent, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return 1;
  }
  sayf("orphans %ld\n", waves * per_wave);
  g_exit_signal = SIGTERM;
  record_all_signals();
  say("ready\n");
  wait_forever();
}

void trap_term(int) {
  say("trapped TERM\n");
  usleep(static_cast<useconds_t>(g_trap_ms) * 1000);
  say("trap done\n");
  _exit(0);
}

int tree_mode(int argc, char** argv) {
  int ready[2];
  if (pipe(ready) != 0) return 2;
  for (int i = 2; i < argc; ++i) {
    const char* kind = argv[i];
    pid_t pid = fork();
    if (pid != 0) continue;
    close(ready[0]);
    if (strncmp(kind, "trap:", 5) == 0) {
      g_trap_ms = atoi(kind + 5);
      signal(SIGTERM, trap_term);
    } else if (strcmp(kind, "ignore") == 0) {
      signal(SIGTERM, SIG_IGN);
    } else if (strcmp(kind, "daemon") == 0) {
      setsid();
      if (fork() != 0) _exit(0);  // the daemon re-parents to husk
    }
    char line[128];
    snprintf(line, sizeof line, "started %s %ld\n", kind, static_cast<long>(getpid()));
    say(line);
    close(ready[1]);
    wait_forever();
  }
  close(ready[1]);
  char c;
  while (read(ready[0], &c, 1) != 0) {
  }
  say("tree ready\n");
  return 3;
}

volatile sig_atomic_t g_count_usr2 = 0;
volatile sig_atomic_t g_count_rt = 0;
volatile sig_atomic_t g_stop = 0;

void on_counted(int sig) {
  if (sig == SIGUSR2) {
    g_count_usr2 = g_count_usr2 + 1;
  } else if (sig == SIGTERM) {
    g_stop = 1;
  } else {
    g_count_rt = g_count_rt + 1;
  }
}

// Counts SIGUSR2 and real-time signal RT; reports whether its stderr is non-blocking; prints
// the counts and exits 0 on SIGTERM. With `no-queue`, RLIMIT_SIGPENDING 0: a queued signal
// (sigqueue) to it fails with EAGAIN.
int count_mode(int argc, char** argv) {
  int rt = argc > 2 ? atoi(argv[2]) : SIGRTMIN + 6;
  if (argc > 3 && strcmp(argv[3], "no-queue") == 0) {
    struct rlimit none {};
    if (setrlimit(RLIMIT_SIGPENDING, &none) != 0) return 2;
  }
  for (int sig : {SIGUSR2, SIGTERM, rt}) {
    struct sigaction sa {};
    sa.sa_handler = on_counted;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(sig, &sa, nullptr);
  }
  sigset_t none;
  sigset_t term;
  sigemptyset(&none);
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigprocmask(SIG_SETMASK, &term, nullptr);  // taken only in sigsuspend: no lost wake-up
  sayf("ready stderr-nonblock=%ld\n", (fcntl(2, F_GETFL) & O_NONBLOCK) != 0 ? 1 : 0);
  long usr2_said = 0, rt_said = 0;  // progress lines at each 1000 SIGUSR2 and 500 RT signals
  while (g_stop == 0) {
    sigsuspend(&none);
    for (; usr2_said + 1000 <= g_count_usr2; usr2_said += 1000)
      sayf("usr2-progress %ld\n", usr2_said + 1000);
    for (; rt_said + 500 <= g_count_rt; rt_said += 500) sayf("rt-progress %ld\n", rt_said + 500);
  }
  sayf("usr2 %ld rt %ld\n", g_count_usr2, g_count_rt);
  return 0;
}

int ignore_term_mode() {
  signal(SIGTERM, SIG_IGN);
  g_exit_signal = SIGUSR1;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigaction(SIGUSR1, &sa, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  say("ready\n");
  wait_forever();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* mode = argv[1];
  if (strcmp(mode, "signals") == 0) return signals_mode(argc, argv);
  if (strcmp(mode, "group") == 0) return group_mode();
  if (strcmp(mode, "status") == 0) return status_mode();
  if (strcmp(mode, "args") == 0) {
    for (int i = 2; i < argc; ++i) {
      say("arg ");
      say(argv[i]);
      say("\n");
    }
    return 0;
  }
  if (strcmp(mode, "exit") == 0 && argc > 2) return atoi(argv[2]);
  if (strcmp(mode, "raise") == 0 && argc > 2) return raise_mode(atoi(argv[2]));
  if (strcmp(mode, "orphan-waves") == 0 && argc > 3)
    return orphan_waves_mode(atol(argv[2]), atol(argv[3]));
  if (strcmp(mode, "orphans") == 0 && argc > 3) {
    return orphans_mode(atol(argv[2]), atol(argv[3]), argc > 4 && strcmp(argv[4], "held") == 0);
  }
  if (strcmp(mode, "tree") == 0) return tree_mode(argc, argv);
  if (strcmp(mode, "ignore-term") == 0) return ignore_term_mode();
  if (strcmp(mode, "count") == 0) return count_mode(argc, argv);
  return 2;
}
