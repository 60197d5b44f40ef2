#include "cli/parser.h"

#include <gtest/gtest.h>

#include <vector>

#include "cli/verbs.h"

namespace husk::launch::cli {
namespace {

struct Words {
  std::vector<std::string_view> words;
  Words(std::initializer_list<std::string_view> list) : words(list) {}
  Args args() const { return words; }
};

TEST(Parser, ValuesFlagsAndPositionals) {
  std::string bundle = ".";
  bool detach = false;
  std::vector<std::string> env;
  int fds = 0;
  Option options[] = {value("--bundle", "-b", bundle), flag("--detach", "-d", detach),
                      repeated("--env", "-e", env), count("--preserve-fds", "", fds)};
  Words words{"--bundle", "/b", "id1", "-d", "--env=A=1", "-e", "B=2", "--preserve-fds=2"};
  auto parsed = parse_options("run", words.args(), options, Positionals::kInterleaved);
  ASSERT_TRUE(parsed.ok()) << parsed.error().text();
  EXPECT_EQ(bundle, "/b");
  EXPECT_TRUE(detach);
  EXPECT_EQ(env, (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(fds, 2);
  EXPECT_EQ(parsed->positional, std::vector<std::string>{"id1"});
}

TEST(Parser, FirstPositionalEndsOptions) {
  bool tty = false;
  Option options[] = {flag("--tty", "-t", tty)};
  Words words{"-t", "c1", "sh", "-c", "echo --tty"};
  auto parsed = parse_options("exec", words.args(), options, Positionals::kFirstEndsOptions);
  ASSERT_TRUE(parsed.ok()) << parsed.error().text();
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"c1", "sh", "-c", "echo --tty"}));
  Words after_id{"c1", "--", "-ef"};
  parsed = parse_options("ps", after_id.args(), options, Positionals::kFirstEndsOptions);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"c1", "-ef"}));
  Words twice{"c1", "--", "sh", "--"};
  parsed = parse_options("exec", twice.args(), options, Positionals::kFirstEndsOptions);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->positional, (std::vector<std::string>{"c1", "sh", "--"}));
  Words dashes{"--", "-weird-id"};
  parsed = parse_options("exec", dashes.args(), options, Positionals::kFirstEndsOptions);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->positional, std::vector<std::string>{"-weird-id"});
}

TEST(Parser, Errors) {
  std::string bundle;
  bool force = false;
  int fds = 0;
  Option options[] = {value("--bundle", "-b", bundle), flag("--force", "-f", force),
                      count("--preserve-fds", "", fds)};
  auto error = [&](Words words) {
    auto parsed = parse_options("delete", words.args(), options, Positionals::kInterleaved);
    return parsed.ok() ? std::string("ok") : parsed.error().text();
  };
  EXPECT_EQ(error({"--nope"}), "delete: unknown option --nope (see launch delete --help)");
  EXPECT_EQ(error({"--bundle"}), "delete: --bundle: missing value");
  EXPECT_EQ(error({"--force=yes"}), "delete: --force takes no value");
  EXPECT_EQ(error({"--preserve-fds", "x"}),
            "delete: --preserve-fds: expected a non-negative integer, got \"x\"");
  EXPECT_EQ(error({"--nope\n"}), "delete: unknown option --nope\\n (see launch delete --help)");
}

TEST(Parser, Help) {
  Words words{"c1", "--help"};
  auto parsed = parse_options("state", words.args(), {}, Positionals::kInterleaved);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->help);
}

TEST(Verbs, TableAndGlobals) {
  for (const char* name : {"create", "start", "run", "exec", "state", "list", "ps", "kill",
                           "delete", "pause", "resume", "features", "spec"}) {
    const Verb* verb = find_verb(name);
    ASSERT_NE(verb, nullptr) << name;
    EXPECT_EQ(verb->help.rfind("Usage: launch [global options] " + std::string(name), 0), 0u)
        << name;
  }
  EXPECT_EQ(find_verb("strat"), nullptr);
  GlobalOptions global;
  Words words{"--root", "/r", "--log=/l", "--log-format", "json", "--debug", "create", "x"};
  auto taken = parse_globals(words.args(), global);
  ASSERT_TRUE(taken.ok()) << taken.error().text();
  EXPECT_EQ(*taken, 6u);
  EXPECT_EQ(global.root, "/r");
  EXPECT_EQ(global.log, "/l");
  EXPECT_EQ(global.log_format, LogFormat::kJson);
  EXPECT_TRUE(global.debug);
  Words bad{"--log-format", "xml"};
  auto failed = parse_globals(bad.args(), global);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message(), "--log-format: expected text or json, got \"xml\"");
  EXPECT_EQ(failed.error().errno_value(), kUsageErrno);
}

// --root wins; rootless without it is $XDG_RUNTIME_DIR/launch, which must then be set.
TEST(Verbs, StateRoot) {
  EXPECT_EQ(*state_root("/r", true, "/run/user/7"), "/r");
  EXPECT_EQ(*state_root("", false, "/run/user/7"), "/run/husk");
  EXPECT_EQ(*state_root("", true, "/run/user/7"), "/run/user/7/launch");
  for (const char* unset : {static_cast<const char*>(nullptr), "", "run/user/7"}) {
    auto root = state_root("", true, unset);
    ASSERT_FALSE(root.ok());
    EXPECT_EQ(root.error().text(),
              "rootless: XDG_RUNTIME_DIR is not set to an absolute path: set it, or give --root "
              "DIR");
  }
}

TEST(Verbs, Version) {
  std::string text = version_text("1.2.3", "v1.2.3-4-gabcdef0");
  EXPECT_EQ(text.rfind("launch version 1.2.3\ncommit: v1.2.3-4-gabcdef0\n", 0), 0u) << text;
  EXPECT_NE(text.find("\nspec: 1.2.0\nlibseccomp: "), std::string::npos) << text;
}

}  // namespace
}  // namespace husk::launch::cli
