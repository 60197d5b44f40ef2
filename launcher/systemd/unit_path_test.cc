#include "systemd/unit_path.h"

#include <gtest/gtest.h>

namespace husk::launch::systemd {
namespace {

UnitPath parsed(std::string_view cgroups_path) {
  auto result = parse_unit_path(cgroups_path, "abc");
  EXPECT_TRUE(result.ok()) << result.error().text();
  return result.ok() ? *result : UnitPath{};
}

std::string refused(std::string_view cgroups_path) {
  auto result = parse_unit_path(cgroups_path, "abc");
  EXPECT_FALSE(result.ok());
  return result.ok() ? "" : result.error().text();
}

TEST(UnitPath, EmptyIsAHuskScopeInTheSystemSlice) {
  UnitPath path = parsed("");
  EXPECT_EQ(path.slice, "system.slice");
  EXPECT_EQ(path.unit, "husk-abc.scope");
  EXPECT_EQ(path.cgroup, "/system.slice/husk-abc.scope");
}

TEST(UnitPath, SlicePrefixName) {
  UnitPath path = parsed("machine-pod1.slice:crio:x1");
  EXPECT_EQ(path.slice, "machine-pod1.slice");
  EXPECT_EQ(path.unit, "crio-x1.scope");
  EXPECT_EQ(path.cgroup, "/machine.slice/machine-pod1.slice/crio-x1.scope");
  EXPECT_EQ(parsed(":libpod:1234").cgroup, "/system.slice/libpod-1234.scope");
  EXPECT_EQ(parsed("a-b-c.slice::n").cgroup, "/a.slice/a-b.slice/a-b-c.slice/n.scope");
}

TEST(UnitPath, DashIsTheRootSlice) {
  UnitPath path = parsed("-:p:n");
  EXPECT_EQ(path.slice, "-.slice");
  EXPECT_EQ(path.cgroup, "/p-n.scope");
}

TEST(UnitPath, BadPathsAreRefusedNamingTheField) {
  EXPECT_EQ(refused("/husk/abc"),
            "linux.cgroupsPath: \"/husk/abc\": the systemd cgroup driver expects "
            "\"slice:prefix:name\"");
  EXPECT_EQ(refused("a:b:c:d"),
            "linux.cgroupsPath: \"a:b:c:d\": the systemd cgroup driver expects "
            "\"slice:prefix:name\"");
  EXPECT_EQ(refused("system.slice:p:"), "linux.cgroupsPath: \"system.slice:p:\": an empty name");
  EXPECT_EQ(refused("a.slice/b.slice:p:n"),
            "linux.cgroupsPath: \"a.slice/b.slice:p:n\": the slice is a unit name, not a path "
            "(\"a-b.slice\" is below \"a.slice\")");
  EXPECT_EQ(refused("a--b.slice:p:n"),
            "linux.cgroupsPath: slice \"a--b.slice\": an empty part between dashes");
  EXPECT_EQ(refused("system:p:n"),
            "linux.cgroupsPath: slice \"system\": expected a name ending in .slice");
  EXPECT_EQ(refused(":p:n.slice"),
            "linux.cgroupsPath: \":p:n.slice\": a slice as the container's unit is not supported");
  EXPECT_EQ(refused(":p:a b"),
            "linux.cgroupsPath: \":p:a b\": a unit name has only letters, digits, \"-_.\\\"");
  EXPECT_EQ(refused(std::string(":p:") + std::string(300, 'x')).substr(0, 18),
            "linux.cgroupsPath:");
}

TEST(ExpandSlice, NestsByDashes) {
  EXPECT_EQ(*expand_slice("system.slice"), "/system.slice");
  EXPECT_EQ(*expand_slice("user-1000.slice"), "/user.slice/user-1000.slice");
  EXPECT_EQ(*expand_slice("-.slice"), "");
  EXPECT_FALSE(expand_slice("-a.slice").ok());
  EXPECT_FALSE(expand_slice("a-.slice").ok());
  EXPECT_FALSE(expand_slice(".slice").ok());
}

}  // namespace
}  // namespace husk::launch::systemd
