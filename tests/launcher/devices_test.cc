// Device access through the cgroup (v1 devices controller or the v2 eBPF filter, whichever the
// host has), checked from inside the container: the config's linux.resources.devices rules
// decide for a linux.devices entry, as in runc; runc's default devices stay usable.
//
// The device is a char node with a major no driver has (from the local/experimental range), so
// that opening it can do nothing on any host: a denied open fails with EPERM (the cgroup says
// no before the driver is looked up), an allowed one with ENXIO (no driver).
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "bundle.h"

namespace husk::e2e {
namespace {

constexpr char kNode[] = "/dev/husk-probe";
constexpr char kDenied[] = "Operation not permitted";
constexpr char kAllowed[] = "No such device or address";

// A char major that /proc/devices does not list, from the ranges kept for local use.
int free_char_major() {
  std::ifstream devices("/proc/devices");
  std::set<int> used;
  bool chars = false;
  for (std::string line; std::getline(devices, line);) {
    if (line.starts_with("Character")) chars = true;
    if (line.starts_with("Block")) chars = false;
    int major = 0;
    if (chars && std::istringstream(line) >> major) used.insert(major);
  }
  for (int major : {60, 61, 62, 63, 120, 121, 122, 123, 124, 125, 126, 127}) {
    if (!used.contains(major)) return major;
  }
  return -1;
}

class DevicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HUSK_E2E_REQUIRE_ROOT();
    major_ = free_char_major();
    if (major_ < 0) GTEST_SKIP() << "every local-use char major is taken on this host";
    bundle_.config()["linux"]["devices"] = {
        {{"path", kNode}, {"type", "c"}, {"major", major_}, {"minor", 0}, {"fileMode", 0666}}};
    // What each kind of open of the node gives: "read: <error>" and "write: <error>".
    bundle_.shell(std::string("for m in read write; do if [ $m = read ]; then r=$( (: <") + kNode +
                  ") 2>&1 ); else r=$( (: >" + kNode +
                  ") 2>&1 ); fi; echo \"$m: ${r##*: }\"; done; : >/dev/null && echo null: ok");
  }
  void set_rules(const nlohmann::json& rules) {
    bundle_.config()["linux"]["resources"]["devices"] = rules;
  }
  std::string run() {
    RunResult result = bundle_.run();
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(bundle_.leftovers(), "");
    return result.out;
  }
  static std::string expect(const char* read, const char* write) {
    return std::string("read: ") + read + "\nwrite: " + write + "\nnull: ok\n";
  }

  Bundle bundle_;
  int major_ = -1;
};

TEST_F(DevicesTest, DenyAllDeniesALinuxDevice) {
  set_rules({{{"allow", false}, {"access", "rwm"}}});
  EXPECT_EQ(run(), expect(kDenied, kDenied));
}

// No linux.resources.devices at all: as in runc and crun, only the default devices are usable
// (the filter denies the rest), not every device node the container has.
TEST_F(DevicesTest, WithoutRulesOnlyTheDefaultDevicesAreUsable) {
  bundle_.config()["linux"]["resources"].erase("devices");
  EXPECT_EQ(run(), expect(kDenied, kDenied));
}

TEST_F(DevicesTest, WithoutRulesAMadeNodeCannotBeOpened) {
  bundle_.config()["linux"]["resources"].erase("devices");
  for (const char* set : {"bounding", "effective", "permitted"})
    bundle_.config()["process"]["capabilities"][set].push_back("CAP_MKNOD");
  bundle_.shell("mknod /dev/made c " + std::to_string(major_) +
                " 1 && echo made; r=$( (: </dev/made) 2>&1 ); echo \"read: ${r##*: }\"; "
                ": </dev/zero && echo zero: ok");
  EXPECT_EQ(run(), std::string("made\nread: ") + kDenied + "\nzero: ok\n");
}

TEST_F(DevicesTest, AReadOnlyAllowLetsReadsThroughOnly) {
  set_rules({{{"allow", false}, {"access", "rwm"}},
             {{"allow", true}, {"type", "c"}, {"major", major_}, {"minor", 0}, {"access", "r"}}});
  EXPECT_EQ(run(), expect(kAllowed, kDenied));
}

TEST_F(DevicesTest, AnExplicitDenyAfterAnAllowWins) {
  set_rules({{{"allow", false}, {"access", "rwm"}},
             {{"allow", true}, {"type", "c"}, {"major", major_}, {"minor", 0}, {"access", "rwm"}},
             {{"allow", false}, {"type", "c"}, {"major", major_}, {"minor", 0}, {"access", "w"}}});
  EXPECT_EQ(run(), expect(kAllowed, kDenied));
}

// The defaults that follow (mknod of every char device) do not undo the explicit deny: runc's
// semantics, not "the last matching rule wins". (rw only: the node must still be made.)
TEST_F(DevicesTest, AllowAllThenADenyForTheDevice) {
  set_rules({{{"allow", true}, {"access", "rwm"}},
             {{"allow", false}, {"type", "c"}, {"major", major_}, {"minor", 0}, {"access", "rw"}}});
  EXPECT_EQ(run(), expect(kDenied, kDenied));
}

TEST_F(DevicesTest, AWildcardMinorAllowsTheDevice) {
  set_rules({{{"allow", false}, {"access", "rwm"}},
             {{"allow", true}, {"type", "c"}, {"major", major_}, {"access", "rw"}}});
  EXPECT_EQ(run(), expect(kAllowed, kAllowed));
}

// A deny inside an earlier wildcard allow: v1 would ignore it, runc refuses it; launch refuses
// it on every layout, naming the rule.
TEST_F(DevicesTest, ADenyInsideAWildcardAllowIsRefused) {
  set_rules({{{"allow", false}, {"access", "rwm"}},
             {{"allow", true}, {"type", "c"}, {"major", major_}, {"access", "rwm"}},
             {{"allow", false}, {"type", "c"}, {"major", major_}, {"minor", 0}, {"access", "w"}}});
  RunResult result = bundle_.run();
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("linux.resources.devices[2]: cannot deny c " + std::to_string(major_) +
                            ":0 inside an earlier wildcard rule"),
            std::string::npos)
      << result.err;
  EXPECT_EQ(bundle_.leftovers(), "");
}

// runc's defaults allow mknod of any char or block device: a container with CAP_MKNOD makes a
// node, but opening it is still up to the rules.
TEST_F(DevicesTest, MknodIsAllowedOpeningIsNot) {
  set_rules({{{"allow", false}, {"access", "rwm"}}});
  for (const char* set : {"bounding", "effective", "permitted"})
    bundle_.config()["process"]["capabilities"][set].push_back("CAP_MKNOD");
  bundle_.shell("mknod /dev/made c " + std::to_string(major_) +
                " 1 && echo made; r=$( (: </dev/made) 2>&1 ); echo \"read: ${r##*: }\"");
  EXPECT_EQ(run(), std::string("made\nread: ") + kDenied + "\n");
}

}  // namespace
}  // namespace husk::e2e
