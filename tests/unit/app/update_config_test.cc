// The update: section of the YAML config: what spans sections (the queue it needs), relative
// paths, and its flag. The section's own values: tests/unit/controller/update_options_test.cc.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <map>
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

// The issue's execution example, as an admin would write it.
constexpr const char* kExecution = R"(update:
  repo: /opt/render-manager
  env: { PM2_HOME: /home/render/.pm2 }   # added to the steps' clean environment
  preserve: [node_modules, dist]          # set aside before the steps, put back on rollback
  steps:
    - { name: install, run: "npm ci --no-audit --no-fund", timeout: 10m, rerun_on_rollback: true, when_changed: ["package.json", "package-lock.json"] }
    - { name: migrate, run: "npm run db:migrate", timeout: 5m, rollback: "npm run db:rollback", backup: "sqlite3 db.sqlite '.backup var/pre-update.sqlite'", when_changed: ["migrations/**"] }
    - { name: build,   run: "npm run build", timeout: 10m, rerun_on_rollback: true }
  restart:      { run: "pm2 restart render-manager", timeout: 1m }
  health_check: { url: "http://127.0.0.1:3000/api/version", expect_revision: true, timeout: 5s, retries: 10, interval: 3s }   # or { run: "..." }
  drain_timeout: 10m
  shutdown_timeout: 60s
  on_interrupted: rollback         # rollback | report
  keep_logs: 50
)";

TEST(UpdateConfigTest, TheExecutionExampleParses) {
  const Config c = Parse(std::string(kQueue) + kExecution);
  const UpdateOptions& u = c.update;
  EXPECT_EQ(u.env, (std::map<std::string, std::string>{{"PM2_HOME", "/home/render/.pm2"}}));
  EXPECT_EQ(u.preserve, (std::vector<std::string>{"node_modules", "dist"}));
  ASSERT_EQ(u.steps.size(), 3u);
  EXPECT_EQ(u.steps[0], (UpdateStep{.name = "install",
                                    .run = "npm ci --no-audit --no-fund",
                                    .timeout = milliseconds(600'000),
                                    .rerun_on_rollback = true,
                                    .when_changed = {"package.json", "package-lock.json"}}));
  EXPECT_EQ(u.steps[1],
            (UpdateStep{.name = "migrate",
                        .run = "npm run db:migrate",
                        .timeout = milliseconds(300'000),
                        .when_changed = {"migrations/**"},
                        .rollback = "npm run db:rollback",
                        .backup = "sqlite3 db.sqlite '.backup var/pre-update.sqlite'"}));
  EXPECT_EQ(u.steps[2], (UpdateStep{.name = "build",
                                    .run = "npm run build",
                                    .timeout = milliseconds(600'000),
                                    .rerun_on_rollback = true}));
  EXPECT_EQ(u.restart, (UpdateRestart{"pm2 restart render-manager", milliseconds(60'000)}));
  EXPECT_EQ(u.health_check.url, "http://127.0.0.1:3000/api/version");
  EXPECT_EQ(u.health_check.run, "");
  EXPECT_TRUE(u.health_check.expect_revision);
  EXPECT_EQ(u.health_check.timeout, milliseconds(5000));
  EXPECT_EQ(u.health_check.retries, 10u);
  EXPECT_EQ(u.health_check.interval, milliseconds(3000));
  EXPECT_EQ(u.drain_timeout, milliseconds(600'000));
  EXPECT_EQ(u.shutdown_timeout, milliseconds(60'000));
  EXPECT_EQ(u.on_interrupted, OnInterrupted::kRollback);
  EXPECT_EQ(u.keep_logs, 50u);

  // Block style reads the same; a command health check; empty lists and maps.
  const Config block = Parse(std::string(kQueue) +
                             "update:\n  repo: /srv/app\n  steps:\n    - name: build\n"
                             "      run: make\n      when_changed:\n        - src/**\n"
                             "  health_check:\n    run: ./healthy.sh\n  env:\n  preserve: []\n"
                             "  on_interrupted: report\n");
  ASSERT_EQ(block.update.steps.size(), 1u);
  EXPECT_EQ(block.update.steps[0].when_changed, std::vector<std::string>{"src/**"});
  EXPECT_EQ(block.update.health_check.run, "./healthy.sh");
  EXPECT_TRUE(block.update.env.empty());
  EXPECT_TRUE(block.update.preserve.empty());
  EXPECT_EQ(block.update.on_interrupted, OnInterrupted::kReport);
  EXPECT_TRUE(
      Parse(std::string(kQueue) + "update:\n  repo: /srv/app\n  steps:\n").update.steps.empty());
}

TEST(UpdateConfigTest, StepMistakesNameTheStepAndTheirLine) {
  const std::string head = std::string(kQueue) + "update:\n  repo: /srv/app\n  steps:\n";  // 6
  EXPECT_EQ(YamlError(head + "    - {name: a, run: x}\n    - {name: b}\n"),
            "test.yaml:8: update.steps[1].run: required: the step's command");
  EXPECT_EQ(YamlError(head + "    - name: a\n      run: x\n    - run: y\n      timeout: 1m\n"),
            "test.yaml:9: update.steps[1].name: required: it names the step in answers and logs");
  EXPECT_EQ(YamlError(head + "    - name: a\n      rn: x\n"),
            "test.yaml:8: unknown key \"update.steps[0].rn\" (did you mean \"run\"?)");
  EXPECT_EQ(YamlError(head + "    - name: a\n      run: x\n      when_change: [a]\n"),
            "test.yaml:9: unknown key \"update.steps[0].when_change\" (did you mean "
            "\"when_changed\"?)");
  EXPECT_EQ(YamlError(head + "    - {name: a, run: x}\n    - {name: a, run: y}\n"),
            "test.yaml:8: update.steps[1].name: duplicate step name \"a\"");
  EXPECT_EQ(YamlError(head + "    - {name: a, run: x, timeout: 2d}\n"),
            "test.yaml:7: update.steps[0].timeout: must be at most 1d, got \"2d\"");
  EXPECT_EQ(YamlError(head + "    - name: a\n      run: x\n      when_changed:\n        - ok/**\n"
                             "        - /etc/x\n"),
            "test.yaml:11: update.steps[0].when_changed[1]: must be relative to the repo root "
            "(paths are matched as git names them, e.g. \"migrations/**\"), got \"/etc/x\"");
  EXPECT_EQ(YamlError(head + "    - {name: a, run: x, when_changed: []}\n"),
            "test.yaml:7: update.steps[0].when_changed: must list at least one pattern (leave "
            "it out and the step always runs)");
  EXPECT_EQ(YamlError(head + "    - {name: a, run: x, when_changed: migrations/**}\n"),
            "test.yaml:7: update.steps[0].when_changed: expected a list of globs, got a single "
            "value");
  EXPECT_EQ(YamlError(head + "    - npm ci\n"),
            "test.yaml:7: update.steps[0]: expected a step (a map with name and run), got a "
            "single value");
  EXPECT_EQ(YamlError(std::string(kQueue) + "update:\n  repo: /srv/app\n  steps: {name: a}\n"),
            "test.yaml:6: update.steps: expected a list of steps, got a map");
}

TEST(UpdateConfigTest, ExecutionMistakesNameTheirLine) {
  const std::string head = std::string(kQueue) + "update:\n  repo: /srv/app\n";  // line 5: repo
  EXPECT_EQ(YamlError(head + "  env:\n    PM2_HOME: /x\n    UPKEEP_UPDATE_ID: y\n"),
            "test.yaml:8: update.env.UPKEEP_UPDATE_ID: upkeep sets UPKEEP_* itself (the update's "
            "id and revisions)");
  EXPECT_EQ(YamlError(head + "  env: {HOME: /root}\n"),
            "test.yaml:6: update.env.HOME: upkeep sets HOME itself, from update.user's account");
  EXPECT_EQ(YamlError(head + "  env: {1X: a}\n"),
            "test.yaml:6: update.env.1X: must be a variable name: letters, digits and _, not "
            "starting with a digit");
  EXPECT_EQ(YamlError(head + "  env: [A=1]\n"),
            "test.yaml:6: update.env: expected a map of NAME: value, got a list");
  EXPECT_EQ(YamlError(head + "  preserve: [dist, ../x]\n"),
            "test.yaml:6: update.preserve[1]: must not hold \"..\" (a path outside the repo), got "
            "\"../x\"");
  EXPECT_EQ(YamlError(head + "  restart: {timeout: 1m}\n"),
            "test.yaml:6: update.restart.run: required: the command that restarts the service");
  EXPECT_EQ(YamlError(head + "  restart:\n    rn: x\n"),
            "test.yaml:7: unknown key \"update.restart.rn\" (did you mean \"run\"?)");
  EXPECT_EQ(YamlError(head + "  health_check: {retries: 3}\n"),
            "test.yaml:6: update.health_check: needs url (an HTTP GET) or run (a command)");
  EXPECT_EQ(YamlError(head + "  health_check:\n    url: http://h/\n    run: x\n"),
            "test.yaml:8: update.health_check: url and run exclude each other: give one");
  EXPECT_EQ(YamlError(head + "  health_check:\n    run: x\n    expect_revision: true\n"),
            "test.yaml:8: update.health_check.expect_revision: only with url (the revision is "
            "looked for in the answer's body)");
  EXPECT_EQ(YamlError(head + "  on_interrupted: ignore\n"),
            "test.yaml:6: update.on_interrupted: must be one of rollback, report, got \"ignore\"");
  EXPECT_EQ(YamlError(head + "  keep_logs: 0\n"),
            "test.yaml:6: update.keep_logs: must be an integer from 1 to 100000, got \"0\"");
}

TEST(UpdateConfigTest, StateDirInsideTheRepoIsRefused) {
  EXPECT_EQ(YamlError(std::string(kQueue) +
                      "update:\n  repo: /srv/app\n  state_dir: /srv/app/var/upkeep\n"),
            "test.yaml:6: update.state_dir: must not lie inside update.repo (/srv/app): the "
            "checkout and the steps could change or remove the journal and logs, got "
            "\"/srv/app/var/upkeep\"");
  // Relative paths compare as they are resolved: against the working directory.
  const std::string cwd = std::filesystem::current_path().string();
  EXPECT_PRED_FORMAT2(
      Contains,
      YamlError(std::string(kQueue) + "update:\n  repo: ./var/demo/service\n  state_dir: "
                                      "var/demo/service/.state\n"),
      "test.yaml:6: update.state_dir: must not lie inside update.repo (" + cwd +
          "/var/demo/service)");
  EXPECT_EQ(
      Parse(std::string(kQueue) + "update:\n  repo: ./var/demo/service\n  state_dir: ./var/state\n")
          .update.state_dir,
      cwd + "/var/state");
}

// The example file's execution keys are commented out; uncommented they must still parse.
TEST(UpdateConfigTest, TheExampleFilesCommentedExecutionKeysParse) {
  std::ifstream file(UPKEEP_FIXTURES_DIR "/../../config/upkeep.example.yaml");
  ASSERT_TRUE(file.is_open());
  std::string yaml = std::string(kQueue) + "update:\n  repo: /srv/app\n";
  bool inside = false;
  for (std::string line; std::getline(file, line);) {
    if (line.starts_with("  # env:")) inside = true;
    if (!inside) continue;
    if (!line.starts_with("  #")) break;
    line.erase(2, line.compare(2, 2, "# ") == 0 ? 2 : 1);  // "  # key: v" -> "  key: v"
    yaml += line + "\n";
  }
  const Config c = Parse(yaml);
  ASSERT_EQ(c.update.steps.size(), 3u) << yaml;
  EXPECT_EQ(c.update.steps[1].name, "migrate");
  EXPECT_EQ(c.update.steps[1].when_changed, std::vector<std::string>{"migrations/**"});
  EXPECT_EQ(c.update.preserve, std::vector<std::string>{"dist"});
  EXPECT_EQ(c.update.env.at("PM2_HOME"), "/home/render/.pm2");
  EXPECT_TRUE(c.update.health_check.expect_revision);
  EXPECT_EQ(c.update.restart.run, "pm2 restart render-manager");
  EXPECT_EQ(c.update.keep_logs, 50u);
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
