#include "cli.h"

#include <gtest/gtest.h>

#include <vector>

namespace husk::launch {
namespace {

Result<Cli> parse(std::vector<std::string_view> args) { return parse_cli(args); }

TEST(Cli, BundleAlone) {
  auto cli = parse({"bundle/"});
  ASSERT_TRUE(cli.ok()) << cli.error().text();
  EXPECT_EQ(cli->command, Command::kRun);
  EXPECT_EQ(cli->run.bundle, "bundle/");
  EXPECT_EQ(cli->run.id, "");
  EXPECT_EQ(cli->global.root, "/run/husk");
}

TEST(Cli, RunWithEveryOption) {
  auto cli = parse({"--root",
                    "/tmp/r",
                    "--log=/tmp/l",
                    "--log-format",
                    "json",
                    "--debug",
                    "run",
                    "--bundle",
                    "b",
                    "--no-pivot",
                    "--no-init",
                    "--init-arg",
                    "-v",
                    "--init-arg=-g",
                    "--preserve-fds",
                    "2",
                    "--pid-file",
                    "p",
                    "--init-path",
                    "/h",
                    "--console-socket",
                    "/run/s.sock",
                    "ctr"});
  ASSERT_TRUE(cli.ok()) << cli.error().text();
  EXPECT_EQ(cli->command, Command::kRun);
  EXPECT_EQ(cli->global.root, "/tmp/r");
  EXPECT_EQ(cli->global.log, "/tmp/l");
  EXPECT_EQ(cli->global.log_format, LogFormat::kJson);
  EXPECT_TRUE(cli->global.debug);
  EXPECT_EQ(cli->run.bundle, "b");
  EXPECT_TRUE(cli->run.no_pivot);
  EXPECT_TRUE(cli->run.no_init);
  EXPECT_EQ(cli->run.init_args, (std::vector<std::string>{"-v", "-g"}));
  EXPECT_EQ(cli->run.preserve_fds, 2);
  EXPECT_EQ(cli->run.pid_file, "p");
  EXPECT_EQ(cli->run.init_path, "/h");
  EXPECT_EQ(cli->run.id, "ctr");
  EXPECT_EQ(cli->run.console_socket, "/run/s.sock");
}

TEST(Cli, ConsoleSocketWithABundle) {
  auto cli = parse({"--console-socket=/tmp/c", "b"});
  ASSERT_TRUE(cli.ok()) << cli.error().text();
  EXPECT_EQ(cli->run.console_socket, "/tmp/c");
  EXPECT_EQ(cli->run.bundle, "b");
  EXPECT_NE(usage().find("--console-socket PATH"), std::string_view::npos);
}

TEST(Cli, BundleWithRunOptions) {
  auto cli = parse({"b", "--no-init", "--debug"});
  ASSERT_TRUE(cli.ok()) << cli.error().text();
  EXPECT_TRUE(cli->run.no_init);
  EXPECT_TRUE(cli->global.debug);
  EXPECT_EQ(cli->run.bundle, "b");
}

TEST(Cli, Spec) {
  auto cli = parse({"spec", "--rootless", "--bundle", "x"});
  ASSERT_TRUE(cli.ok()) << cli.error().text();
  EXPECT_EQ(cli->command, Command::kSpec);
  EXPECT_TRUE(cli->spec.rootless);
  EXPECT_EQ(cli->spec.bundle, "x");
}

TEST(Cli, HelpAndVersion) {
  EXPECT_EQ(parse({"--help"})->command, Command::kHelp);
  EXPECT_EQ(parse({"--version"})->command, Command::kVersion);
  EXPECT_NE(usage().find("launch [global options] BUNDLE"), std::string_view::npos);
}

TEST(Cli, Errors) {
  EXPECT_EQ(parse({}).error().text(), "missing bundle or command (see launch --help)");
  EXPECT_EQ(parse({"run"}).error().text(), "run: missing container ID");
  EXPECT_EQ(parse({"run", "a", "b"}).error().text(), "unexpected argument \"b\"");
  EXPECT_EQ(parse({"b", "c"}).error().text(), "unexpected argument \"c\"");
  EXPECT_EQ(parse({"--frob"}).error().text(), "unknown option --frob");
  EXPECT_EQ(parse({"run", "--frob", "x"}).error().text(), "run: unknown option --frob");
  EXPECT_EQ(parse({"--log-format", "xml", "b"}).error().text(),
            "--log-format: expected text or json, got \"xml\"");
  EXPECT_EQ(parse({"run", "--preserve-fds", "-1", "x"}).error().text(),
            "run: --preserve-fds: expected a non-negative integer, got \"-1\"");
  EXPECT_EQ(parse({"run", "x", "--bundle"}).error().text(), "run: --bundle: missing value");
  EXPECT_EQ(parse({"run", "x", "--console-socket"}).error().text(),
            "run: --console-socket: missing value");
}

}  // namespace
}  // namespace husk::launch
