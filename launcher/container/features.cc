#include "container/features.h"

#include <sys/capability.h>

#include <cctype>
#include <nlohmann/json.hpp>

#include "oci_names.h"

namespace husk::launch {

std::string features_json() {
  using nlohmann::json;
  json caps = json::array();
  for (int i = 0; i <= CAP_LAST_CAP + 8; ++i) {
    char* name = ::cap_to_name(static_cast<cap_value_t>(i));
    if (name == nullptr) continue;
    std::string upper(name);
    ::cap_free(name);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (upper.rfind("CAP_", 0) == 0 && oci::capability_number(upper)) caps.push_back(upper);
  }
  json namespaces = json::array();
  for (const char* name : {"cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts"}) {
    if (oci::namespace_type(name)) namespaces.push_back(name);
  }
  json actions = json::array(), operators = json::array(), archs = json::array();
  for (const char* a : {"SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO", "SCMP_ACT_KILL",
                        "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",
                        "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE", "SCMP_ACT_TRAP"})
    if (oci::is_seccomp_action(a)) actions.push_back(a);
  for (const char* o : {"SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_LE", "SCMP_CMP_LT",
                        "SCMP_CMP_MASKED_EQ", "SCMP_CMP_NE"})
    if (oci::is_seccomp_operator(o)) operators.push_back(o);
  for (const char* a :
       {"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM", "SCMP_ARCH_AARCH64",
        "SCMP_ARCH_RISCV64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390X"})
    if (oci::is_seccomp_arch(a)) archs.push_back(a);
  json doc = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", "1.2.0"},
      {"hooks",
       {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"}},
      {"mountOptions",
       {"defaults",    "ro",          "rw",         "nosuid",       "suid",           "nodev",
        "dev",         "noexec",      "exec",       "sync",         "async",          "dirsync",
        "remount",     "mand",        "nomand",     "noatime",      "atime",          "nodiratime",
        "diratime",    "relatime",    "norelatime", "strictatime",  "nostrictatime",  "nosymfollow",
        "symfollow",   "bind",        "rbind",      "private",      "rprivate",       "shared",
        "rshared",     "slave",       "rslave",     "unbindable",   "runbindable",    "rro",
        "rrw",         "rnosuid",     "rsuid",      "rnodev",       "rdev",           "rnoexec",
        "rexec",       "rnodiratime", "rdiratime",  "rnosymfollow", "rsymfollow",     "rrelatime",
        "rnorelatime", "rnoatime",    "ratime",     "rstrictatime", "rnostrictatime", "idmap",
        "ridmap"}},
      {"linux",
       {{"namespaces", namespaces},
        {"capabilities", caps},
        {"cgroup",
         {{"v1", true}, {"v2", true}, {"systemd", true}, {"systemdUser", false}, {"rdma", true}}},
        {"seccomp",
         {{"enabled", true}, {"actions", actions}, {"operators", operators}, {"archs", archs}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}},
        {"intelRdt", {{"enabled", false}}},
        {"mountExtensions", {{"idmap", {{"enabled", true}}}}}}},
      {"annotations", {{"run.husk.args", "words passed to husk before --init-arg"}}},
  };
  return doc.dump(2);
}

}  // namespace husk::launch
