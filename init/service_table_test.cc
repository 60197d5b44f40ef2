#include "service_table.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

namespace husk {
namespace {

// A scratch services directory, removed at the end.
class ServiceDir {
 public:
  ServiceDir() {
    char path[] = "/tmp/husk-services-XXXXXX";
    path_ = mkdtemp(path);
  }
  ~ServiceDir() {
    std::string command = "rm -rf '" + path_ + "'";
    if (std::system(command.c_str()) != 0) {
    }
  }
  // NAME/run (mode `mode`), and NAME/config when `config` is not empty.
  void add(const std::string& name, const std::string& config = "", mode_t mode = 0755) {
    mkdir((path_ + "/" + name).c_str(), 0755);
    std::string run = path_ + "/" + name + "/run";
    std::ofstream(run) << "#!/bin/sh\nexec sleep 1000\n";
    chmod(run.c_str(), mode);
    if (!config.empty()) std::ofstream(path_ + "/" + name + "/config") << config;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::vector<std::string> argv_of(const ServiceSpec& spec) {
  char* storage[ServiceSpec::kArgvSize];
  std::vector<std::string> out;
  for (char* const* a = spec.exec_argv(storage); *a != nullptr; ++a) out.emplace_back(*a);
  return out;
}

// The table is big: keep it off the test's stack.
std::unique_ptr<ServiceTable> table() { return std::make_unique<ServiceTable>(); }

TEST(ServiceTable, LoadsADirectoryInNameOrder) {
  ServiceDir dir;
  dir.add("20-web", "restart=on-failure\n");
  dir.add("10-db", "ready-fd=3\n");
  dir.add(".hidden");
  std::ofstream(dir.path() + "/30-cron") << "#!/bin/sh\n";
  chmod((dir.path() + "/30-cron").c_str(), 0755);
  auto services = table();
  Message error;
  ASSERT_TRUE(services->load_directory(dir.path().c_str(), error)) << error.view();
  ASSERT_TRUE(services->finish(5000, error)) << error.view();
  ASSERT_EQ(services->size(), 3);
  EXPECT_STREQ((*services)[0].name, "10-db");
  EXPECT_EQ((*services)[0].ready_fd, 3);
  EXPECT_EQ(argv_of((*services)[0]), std::vector<std::string>{dir.path() + "/10-db/run"});
  EXPECT_STREQ((*services)[1].name, "20-web");
  EXPECT_EQ((*services)[1].restart, Restart::kOnFailure);
  EXPECT_EQ((*services)[1].stop_grace_ms, 5000);
  EXPECT_EQ(argv_of((*services)[2]), std::vector<std::string>{dir.path() + "/30-cron"});
}

TEST(ServiceTable, DirectoryErrorsNameTheServiceAndTheProblem) {
  Message error;
  EXPECT_FALSE(table()->load_directory("/nonexistent/husk.d", error));
  EXPECT_EQ(error.view(), "services directory '/nonexistent/husk.d': No such file or directory");

  ServiceDir plain;
  plain.add("web", "", 0644);
  error.clear();
  EXPECT_FALSE(table()->load_directory(plain.path().c_str(), error));
  EXPECT_EQ(error.view(), "service 'web': " + plain.path() + "/web/run: not executable");

  ServiceDir empty;
  mkdir((empty.path() + "/web").c_str(), 0755);
  error.clear();
  EXPECT_FALSE(table()->load_directory(empty.path().c_str(), error));
  EXPECT_EQ(error.view(), "service 'web': " + empty.path() + "/web/run: No such file or directory");

  ServiceDir bad_key;
  bad_key.add("web", "restart=always\nrestrat=always\n");
  error.clear();
  EXPECT_FALSE(table()->load_directory(bad_key.path().c_str(), error));
  EXPECT_EQ(error.view(), "service 'web': config line 2: unknown key 'restrat'");

  ServiceDir bad_duration;
  bad_duration.add("web", "stop-grace=5s\n");
  error.clear();
  EXPECT_FALSE(table()->load_directory(bad_duration.path().c_str(), error));
  EXPECT_EQ(error.view(),
            "service 'web': config line 1: stop-grace: invalid duration '5s' (expected seconds, "
            "e.g. 5 or 0.5)");

  ServiceDir bad_name;
  bad_name.add("a b");
  error.clear();
  EXPECT_FALSE(table()->load_directory(bad_name.path().c_str(), error));
  EXPECT_EQ(error.view(), "service 'a b': invalid name (1 to 31 letters, digits, '.', '_' or '-')");
}

TEST(ServiceTable, AnEmptyTableIsRefused) {
  ServiceDir dir;
  auto services = table();
  Message error;
  ASSERT_TRUE(services->load_directory(dir.path().c_str(), error)) << error.view();
  EXPECT_FALSE(services->finish(5000, error));
  EXPECT_EQ(error.view(), "no services to run (an empty services directory?)");
}

TEST(ServiceTable, TwoMainServicesAreRefused) {
  ServiceDir dir;
  dir.add("a", "main=yes\n");
  dir.add("b", "main=yes\n");
  auto services = table();
  Message error;
  ASSERT_TRUE(services->load_directory(dir.path().c_str(), error)) << error.view();
  EXPECT_FALSE(services->finish(5000, error));
  EXPECT_EQ(error.view(), "service 'b': a second main service (the first is 'a')");
}

TEST(ServiceTable, CommandServices) {
  auto services = table();
  Message error;
  ASSERT_TRUE(services->add_command("web=nginx -g  daemon", error)) << error.view();
  ASSERT_TRUE(services->add_command("job=echo $HOME; sleep 1", error)) << error.view();
  EXPECT_EQ(argv_of((*services)[0]), (std::vector<std::string>{"nginx", "-g", "daemon"}));
  EXPECT_EQ(argv_of((*services)[1]), (std::vector<std::string>{"/bin/sh", "-c", "eval \"exec $1\"",
                                                               "job", "echo $HOME; sleep 1"}));
  EXPECT_FALSE(services->add_command("web=other", error));
  EXPECT_EQ(error.view(), "service 'web': defined twice");
  error.clear();
  EXPECT_FALSE(services->add_command("nocommand", error));
  EXPECT_EQ(error.view(), "option --service: expected NAME=COMMAND, got 'nocommand'");
  error.clear();
  EXPECT_FALSE(services->add_command("empty=  ", error));
  EXPECT_EQ(error.view(), "service 'empty': empty command");
}

TEST(ServiceTable, SettingsAndTheMainCommand) {
  auto services = table();
  Message error;
  ASSERT_TRUE(services->add_command("web=nginx", error));
  ASSERT_TRUE(services->apply_setting("web:restart=never", error)) << error.view();
  EXPECT_EQ((*services)[0].restart, Restart::kNever);
  EXPECT_FALSE(services->apply_setting("web:colour=blue", error));
  EXPECT_EQ(error.view(), "service 'web': option --set: unknown key 'colour'");
  error.clear();
  EXPECT_FALSE(services->apply_setting("db:main=yes", error));
  EXPECT_EQ(error.view(), "option --set: no service 'db'");
  error.clear();
  EXPECT_FALSE(services->apply_setting("web=main", error));
  EXPECT_EQ(error.view(), "option --set: expected NAME:KEY=VALUE, got 'web=main'");

  char app[] = "app", arg[] = "--serve";
  char* argv[] = {app, arg, nullptr};
  error.clear();
  ASSERT_TRUE(services->add_main_command(argv, error)) << error.view();
  EXPECT_STREQ((*services)[1].name, "main");
  EXPECT_TRUE((*services)[1].main);
  EXPECT_EQ(argv_of((*services)[1]), (std::vector<std::string>{"app", "--serve"}));

  auto other = table();
  ASSERT_TRUE(other->add_command("web=nginx", error));
  ASSERT_TRUE(other->apply_setting("web:main=yes", error));
  EXPECT_FALSE(other->add_main_command(argv, error));
  EXPECT_EQ(error.view(),
            "service 'main': a command was given, but 'web' is the main service already");
}

TEST(ServiceTable, TheLogPrefixFlagLeavesAServiceThatSaidNoAlone) {
  auto services = table();
  Message error;
  ASSERT_TRUE(services->add_command("web=nginx", error));
  ASSERT_TRUE(services->add_command("db=postgres", error));
  ASSERT_TRUE(services->add_command("cron=crond", error));
  ASSERT_TRUE(services->apply_setting("db:log-prefix=no", error)) << error.view();
  ASSERT_TRUE(services->apply_setting("cron:log-prefix=yes", error)) << error.view();
  EXPECT_FALSE((*services)[0].log_prefix);
  services->prefix_output_by_default();
  EXPECT_TRUE((*services)[0].log_prefix);
  EXPECT_FALSE((*services)[1].log_prefix);
  EXPECT_TRUE((*services)[2].log_prefix);
  error.clear();
  EXPECT_FALSE(services->apply_setting("web:log-prefix=2", error));
  EXPECT_EQ(error.view(), "service 'web': option --set: log-prefix: expected yes or no, got '2'");
}

}  // namespace
}  // namespace husk
