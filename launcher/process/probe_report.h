// probe_report: what a process sees of its own set-up, as "key=value" lines, for the real
// tests: the lines of /proc/self/status about credentials, capabilities, no_new_privs and
// seccomp (tabs turned into spaces), then euid, RLIMIT_NOFILE, ioprio, scheduler,
// personality and oom_score_adj. Used by the test's child directly and by process_probe,
// which the child execs to see the same after execve.
#pragma once

#include <fcntl.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace husk::process::testing {

inline std::string probe_report() {
  std::ostringstream out;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    if (key != "Uid" && key != "Gid" && key != "Groups" && key != "Umask" &&
        key.substr(0, 3) != "Cap" && key != "NoNewPrivs" && key.substr(0, 7) != "Seccomp")
      continue;
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.pop_back();
    for (char& c : value)
      if (c == '\t') c = ' ';
    out << key << "=" << value << "\n";
  }
  out << "euid=" << geteuid() << "\n";
  rlimit nofile{};
  getrlimit(RLIMIT_NOFILE, &nofile);
  out << "nofile=" << nofile.rlim_cur << "/" << nofile.rlim_max << "\n";
  out << "ioprio=" << syscall(SYS_ioprio_get, 1, 0) << "\n";
  struct {
    uint32_t size, policy;
    uint64_t flags;
    int32_t nice;
    uint32_t priority;
    uint64_t runtime, deadline, period;
    uint32_t util_min, util_max;
  } attr{};
  syscall(SYS_sched_getattr, 0, &attr, sizeof attr, 0);
  out << "sched=" << attr.policy << "/" << attr.nice << "/" << attr.priority << "\n";
  out << "personality=" << personality(0xffffffff) << "\n";
  std::ifstream oom("/proc/self/oom_score_adj");
  std::string oom_value;
  oom >> oom_value;
  out << "oom_score_adj=" << oom_value << "\n";
  return out.str();
}

}  // namespace husk::process::testing
