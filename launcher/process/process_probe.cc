// process_probe: prints probe_report() to stdout; the real tests exec it inside a set-up child
// (and a setuid-root copy of it, to see that no_new_privs holds).
#include <cstdio>

#include "probe_report.h"

int main() {
  std::string report = husk::process::testing::probe_report();
  return std::fwrite(report.data(), 1, report.size(), stdout) == report.size() ? 0 : 1;
}
