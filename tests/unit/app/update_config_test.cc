// The update: section of the YAML config: what spans sections (the queue it needs), relative
// paths, and its flag. The section's own values: tests/unit/controller/update_options_test.cc.

#include <gtest/gtest.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <vector>

#include "app/config.h"
#include "app/flags.h"
#include "tests/unit/app/config_test_support.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

constexpr const char* kQueue = "queue:\n  type: command\n  command: {run: queue-summary}\n";

Config Parse(const std::string& yaml) { return ParseConfigYaml(yaml, "test.yaml"); }

TEST(UpdateConfigTest, NoSectionIsNotConfigured) {
  const Config c = Parse("log:\n  level: info\n");
  EXPECT_FALSE(c.update.configured);
  EXPECT_EQ(c.update, UpdateOptions{});
  // An empty section (everything commented out) is no section.
  EXPECT_FALSE(Parse("update:\n  # repo: /srv/app\n").update.configured);
  EXPECT_FALSE(DefaultConfig().update.configured);
}

TEST(UpdateConfigTest, TheIssueExampleParses) {
  const Config c = Parse(std::string(kQueue) + R"(
update:
  repo: /opt/render-manager        # the managed service's git working tree
  remote: origin
  branch: main
  user: ""                         # who runs git work and steps; default: the owner of `repo`
  check_interval: 15m              # background check; 0 disables it
  min_fetch_interval: 30s          # a check within this window reuses the last fetch
  fetch_timeout: 30s
  changelog_limit: 100
  allow_insecure_transport: false  # git:// and http:// remotes (unauthenticated) need this
  credentials:                     # for private remotes
    ssh_key_file: ""               # else ssh-agent, else none
    ssh_known_hosts: ""            # default: the user's ~/.ssh/known_hosts; unknown hosts refused
    https_token_file: ""
  state_dir: /var/lib/upkeep       # make run: ./var/state
)");
  EXPECT_TRUE(c.update.configured);
  UpdateOptions expected;
  expected.configured = true;
  expected.repo = "/opt/render-manager";
  EXPECT_EQ(c.update, expected);
}

TEST(UpdateConfigTest, EveryValueArrives) {
  const Config c = Parse(std::string(kQueue) +
                         "update:\n  repo: /srv/app\n  remote: upstream\n  branch: stable\n"
                         "  user: render\n  check_interval: 0\n  min_fetch_interval: 5s\n"
                         "  fetch_timeout: 10s\n  changelog_limit: 7\n"
                         "  allow_insecure_transport: true\n"
                         "  credentials: {ssh_key_file: /k, ssh_known_hosts: /kh, "
                         "https_token_file: /t}\n"
                         "  state_dir: /srv/state\n  require_queue: true\n");
  EXPECT_EQ(c.update.repo, "/srv/app");
  EXPECT_EQ(c.update.remote, "upstream");
  EXPECT_EQ(c.update.branch, "stable");
  EXPECT_EQ(c.update.user, "render");
  EXPECT_EQ(c.update.check_interval, milliseconds(0));
  EXPECT_EQ(c.update.min_fetch_interval, milliseconds(5000));
  EXPECT_EQ(c.update.fetch_timeout, milliseconds(10000));
  EXPECT_EQ(c.update.changelog_limit, 7u);
  EXPECT_TRUE(c.update.allow_insecure_transport);
  EXPECT_EQ(c.update.credentials.ssh_key_file, "/k");
  EXPECT_EQ(c.update.credentials.ssh_known_hosts, "/kh");
  EXPECT_EQ(c.update.credentials.https_token_file, "/t");
  EXPECT_EQ(c.update.state_dir, "/srv/state");
}

TEST(UpdateConfigTest, ASectionNeedsARealQueueUnlessToldOtherwise) {
  const std::string update = "update:\n  repo: /srv/app\n";
  for (const std::string& queue : {std::string(), std::string("queue:\n  type: none\n")}) {
    SCOPED_TRACE(queue);
    const std::string error = YamlError(queue + update);
    EXPECT_PRED_FORMAT2(Contains, error, "test.yaml: update: needs a job queue source");
    EXPECT_PRED_FORMAT2(Contains, error, "an update would never be refused for running jobs");
    EXPECT_PRED_FORMAT2(Contains, error, "update.require_queue: false");
    EXPECT_TRUE(Parse(queue + update + "  require_queue: false\n").update.configured);
  }
  EXPECT_TRUE(Parse(std::string(kQueue) + update).update.configured);
  // Without an update: section a missing queue is nobody's business.
  EXPECT_NO_THROW(Parse("update:\n"));
}

TEST(UpdateConfigTest, SectionMistakesNameTheirLine) {
  EXPECT_EQ(YamlError(std::string(kQueue) + "update:\n  repo: /srv/app\n  fetch_timeot: 5s\n"),
            "test.yaml:6: unknown key \"update.fetch_timeot\" (did you mean \"fetch_timeout\"?)");
  EXPECT_EQ(YamlError(std::string(kQueue) + "update:\n  branch: main\n"),
            "test.yaml:4: update.repo: required: the path of the managed service's git checkout");
  EXPECT_EQ(YamlError(std::string(kQueue) + "update:\n  repo: /srv/app\n  changelog_limit: 0\n"),
            "test.yaml:6: update.changelog_limit: must be an integer from 1 to 10000, got \"0\"");
  EXPECT_EQ(YamlError(std::string(kQueue) +
                      "update:\n  repo: /srv/app\n  credentials:\n    ssh_keyfile: /k\n"),
            "test.yaml:7: unknown key \"update.credentials.ssh_keyfile\" (did you mean "
            "\"ssh_key_file\"?)");
}

TEST(UpdateConfigTest, RelativePathsResolveAgainstTheWorkingDirectory) {
  const std::string cwd = std::filesystem::current_path().string();
  const Config c = Parse(std::string(kQueue) +
                         "update:\n  repo: ./var/demo/service\n  state_dir: var/state\n"
                         "  credentials: {ssh_key_file: keys/id_ed25519, ssh_known_hosts: "
                         "/etc/kh, https_token_file: ../token}\n");
  EXPECT_EQ(c.update.repo, cwd + "/var/demo/service");
  EXPECT_EQ(c.update.state_dir, cwd + "/var/state");
  EXPECT_EQ(c.update.credentials.ssh_key_file, cwd + "/keys/id_ed25519");
  EXPECT_EQ(c.update.credentials.ssh_known_hosts, "/etc/kh");
  EXPECT_EQ(c.update.credentials.https_token_file,
            std::filesystem::path(cwd).parent_path().string() + "/token");
  // "Not set" stays not set.
  EXPECT_EQ(Parse(std::string(kQueue) + "update:\n  repo: app\n").update.credentials.ssh_key_file,
            "");
}

TEST(UpdateConfigTest, TheUserFlagOverridesTheFile) {
  const TempFile file(std::string(kQueue) + "update:\n  repo: /srv/app\n  user: render\n");
  const char* argv[] = {"upkeep", "--config", file.path().c_str(), "--update.user", "deploy"};
  const CommandLine cl = ParseCommandLine(5, argv);
  EXPECT_EQ(cl.config.update.user, "deploy");
  EXPECT_TRUE(cl.config.update.configured);
  EXPECT_EQ(cl.config.update.repo, "/srv/app");
  // Alone it configures nothing: it only says who, should there be an update: section.
  const char* alone[] = {"upkeep", "--update.user=render"};
  const CommandLine bare = ParseCommandLine(2, alone);
  EXPECT_EQ(bare.config.update.user, "render");
  EXPECT_FALSE(bare.config.update.configured);
}

TEST(UpdateConfigTest, TheUsageTextListsTheUserFlagWithoutAnEmptyDefault) {
  const std::string usage = UsageText();
  EXPECT_PRED_FORMAT2(Contains, usage, "--update.user=USER");
  EXPECT_PRED_FORMAT2(Contains, usage, "(default: its owner; root only if named)");
  EXPECT_EQ(usage.find("(default: )"), std::string::npos) << usage;
}

}  // namespace
}  // namespace upkeep
