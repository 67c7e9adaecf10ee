// The update execution's keys of update.* (steps, restart, health_check, env, preserve, ...):
// their checks and cross-field rules, on the options alone. Through YAML, with file and line:
// tests/unit/app/update_config_test.cc.

#include "controller/update_step_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "controller/update_options.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

const Setting<UpdateOptions>& SettingOf(std::string_view key) {
  const Setting<UpdateOptions>* setting = FindSetting(UpdateSettings().settings, key);
  if (setting == nullptr) throw std::logic_error("no setting " + std::string(key));
  return *setting;
}

Problem Set(UpdateOptions& o, std::string_view key, std::string_view value) {
  return SettingOf(key).set(o, value);
}

Problem Add(UpdateOptions& o, std::string_view key, std::string_view value) {
  return SettingOf(key).add(o, value);
}

Problem Put(UpdateOptions& o, std::string_view name, std::string_view value) {
  return SettingOf("update.env").put(o, name, value);
}

std::optional<KeyedProblem> Validate(const UpdateOptions& o, const GivenKeys& given) {
  return UpdateSettings().validate(o, given);
}

// Options with a repo and state_dir apart, one complete step, and the keys a file gave for them.
UpdateOptions Valid() {
  UpdateOptions o;
  o.repo = "/srv/app";
  o.state_dir = "/var/lib/upkeep";
  o.steps.push_back(UpdateStep{.name = "install", .run = "npm ci"});
  return o;
}

const GivenKeys kGiven = {"update.repo", "update.steps", "update.steps[0]", "update.steps[0].name",
                          "update.steps[0].run"};

TEST(UpdateStepOptionsTest, AStepFromItsKeys) {
  UpdateOptions o;
  SettingOf("update.steps").append(o);
  EXPECT_EQ(Set(o, "update.steps[].name", "migrate"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].run", "npm run db:migrate"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].timeout", "5m"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].rerun_on_rollback", "true"), std::nullopt);
  SettingOf("update.steps[].when_changed").clear(o);
  EXPECT_EQ(Add(o, "update.steps[].when_changed", "migrations/**"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].rollback", "npm run db:rollback"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].backup", "sqlite3 db.sqlite '.backup x'"), std::nullopt);
  SettingOf("update.steps").append(o);
  EXPECT_EQ(Set(o, "update.steps[].name", "build"), std::nullopt);
  ASSERT_EQ(o.steps.size(), 2u);
  const UpdateStep& migrate = o.steps[0];
  EXPECT_EQ(migrate.name, "migrate");
  EXPECT_EQ(migrate.run, "npm run db:migrate");
  EXPECT_EQ(migrate.timeout, milliseconds(300'000));
  EXPECT_TRUE(migrate.rerun_on_rollback);
  EXPECT_EQ(migrate.when_changed, std::vector<std::string>{"migrations/**"});
  EXPECT_EQ(migrate.rollback, "npm run db:rollback");
  EXPECT_EQ(migrate.backup, "sqlite3 db.sqlite '.backup x'");
  EXPECT_EQ(o.steps[1].name, "build");
  EXPECT_EQ(o.steps[1].run, "");
  SettingOf("update.steps").clear(o);
  EXPECT_TRUE(o.steps.empty());
}

TEST(UpdateStepOptionsTest, RefusedStepValues) {
  UpdateOptions o;
  SettingOf("update.steps").append(o);
  for (const char* bad : {"", "Install", "db migrate", "a.b", "x/y"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(Set(o, "update.steps[].name", bad),
              "must be 1 to 64 of a-z, 0-9, _ and - (it names the step in answers, history and "
              "logs), got \"" +
                  std::string(bad) + "\"");
  }
  EXPECT_NE(Set(o, "update.steps[].name", std::string(65, 'a')), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].name", std::string(64, 'a')), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].name", "db_migrate-2"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].run", ""), "must not be empty");
  EXPECT_EQ(Set(o, "update.steps[].run", std::string("a\0b", 3)), "must not hold a NUL byte");
  EXPECT_EQ(Set(o, "update.steps[].timeout", "0"), "must be at least 1s, got \"0\"");
  EXPECT_EQ(Set(o, "update.steps[].timeout", "2d"), "must be at most 1d, got \"2d\"");
  EXPECT_EQ(Set(o, "update.steps[].rerun_on_rollback", "yes"),
            "must be true or false, got \"yes\"");
  EXPECT_EQ(Add(o, "update.steps[].when_changed", "/abs"),
            "must be relative to the repo root (paths are matched as git names them, e.g. "
            "\"migrations/**\"), got \"/abs\"");
  EXPECT_EQ(Add(o, "update.steps[].when_changed", "a/../b"),
            "must not hold \".\" or \"..\" segments, got \"a/../b\"");
  EXPECT_EQ(Add(o, "update.steps[].when_changed", ""), "must not be empty");
  EXPECT_EQ(Add(o, "update.steps[].when_changed", "package.json"), std::nullopt);
  EXPECT_EQ(Add(o, "update.steps[].when_changed", "package.json"),
            "duplicate pattern \"package.json\"");
  // Empty rollback and backup commands are "none"; a NUL is refused.
  EXPECT_EQ(Set(o, "update.steps[].rollback", ""), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].backup", std::string("\0", 1)), "must not hold a NUL byte");
}

TEST(UpdateStepOptionsTest, StepNamesAreUnique) {
  UpdateOptions o;
  SettingOf("update.steps").append(o);
  EXPECT_EQ(Set(o, "update.steps[].name", "build"), std::nullopt);
  EXPECT_EQ(Set(o, "update.steps[].name", "build"), std::nullopt);  // the same step again
  SettingOf("update.steps").append(o);
  EXPECT_EQ(Set(o, "update.steps[].name", "build"), "duplicate step name \"build\"");
  EXPECT_EQ(o.steps[1].name, "");
}

TEST(UpdateStepOptionsTest, AStepRunsWhenAPatternMatchesOrWithoutPatterns) {
  const std::vector<std::string> touched = {"README.md", "migrations/002_add.sql"};
  EXPECT_TRUE(StepRuns(UpdateStep{.name = "build"}, touched));
  EXPECT_TRUE(StepRuns(UpdateStep{.name = "build"}, {}));
  const UpdateStep migrate{.name = "migrate", .when_changed = {"migrations/**"}};
  EXPECT_TRUE(StepRuns(migrate, touched));
  EXPECT_FALSE(StepRuns(migrate, std::vector<std::string>{"README.md"}));
  EXPECT_FALSE(StepRuns(migrate, {}));
  const UpdateStep install{.name = "install",
                           .when_changed = {"package.json", "package-lock.json"}};
  EXPECT_FALSE(StepRuns(install, std::vector<std::string>{"web/package.json"}));
  EXPECT_TRUE(StepRuns(install, std::vector<std::string>{"package-lock.json"}));
}

TEST(UpdateStepOptionsTest, Env) {
  UpdateOptions o;
  EXPECT_EQ(Put(o, "PM2_HOME", "/home/render/.pm2"), std::nullopt);
  EXPECT_EQ(Put(o, "_x1", ""), std::nullopt);
  EXPECT_EQ(Put(o, "PATH", "/opt/node/bin:/usr/bin:/bin"), std::nullopt);  // a toolchain's
  EXPECT_EQ(o.env, (std::map<std::string, std::string>{{"PM2_HOME", "/home/render/.pm2"},
                                                       {"_x1", ""},
                                                       {"PATH", "/opt/node/bin:/usr/bin:/bin"}}));
  for (const char* bad : {"", "1X", "A-B", "A B", "A=B", "Ä"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(Put(o, bad, "v"),
              "must be a variable name: letters, digits and _, not starting with a digit");
  }
  EXPECT_EQ(Put(o, "UPKEEP_TO_REV", "x"),
            "upkeep sets UPKEEP_* itself (the update's id and revisions)");
  EXPECT_EQ(Put(o, "UPKEEP_", "x"), "upkeep sets UPKEEP_* itself (the update's id and revisions)");
  for (const char* own : {"HOME", "USER", "LOGNAME", "SHELL"}) {
    EXPECT_EQ(Put(o, own, "x"),
              "upkeep sets " + std::string(own) + " itself, from update.user's account");
  }
  EXPECT_EQ(Put(o, "UPKEEPER", "x"), std::nullopt);  // only the UPKEEP_ prefix is upkeep's
  EXPECT_EQ(Put(o, "A", std::string("x\0y", 3)), "must not hold a NUL byte");
  EXPECT_EQ(o.env.size(), 4u);
  SettingOf("update.env").clear(o);
  EXPECT_TRUE(o.env.empty());
}

TEST(UpdateStepOptionsTest, PreservePathsAreNormalisedInsideTheRepo) {
  UpdateOptions o;
  EXPECT_EQ(Add(o, "update.preserve", "node_modules"), std::nullopt);
  EXPECT_EQ(Add(o, "update.preserve", "./dist/"), std::nullopt);
  EXPECT_EQ(Add(o, "update.preserve", "web//.next"), std::nullopt);
  EXPECT_EQ(Add(o, "update.preserve", ".gitignored-cache"), std::nullopt);
  EXPECT_EQ(o.preserve,
            (std::vector<std::string>{"node_modules", "dist", "web/.next", ".gitignored-cache"}));
  EXPECT_EQ(Add(o, "update.preserve", "dist"), "duplicate path \"dist\"");
  EXPECT_EQ(Add(o, "update.preserve", "dist/assets"),
            "\"dist/assets\" overlaps \"dist\", already listed: list one of them");
  EXPECT_EQ(Add(o, "update.preserve", "web"),
            "\"web\" overlaps \"web/.next\", already listed: list one of them");
  EXPECT_EQ(Add(o, "update.preserve", "web/.nextx"), std::nullopt);  // a sibling, no overlap
  EXPECT_EQ(Add(o, "update.preserve", ""), "must not be empty");
  EXPECT_EQ(Add(o, "update.preserve", "/srv/app/node_modules"),
            "must be a path relative to update.repo (it is set aside inside the repo's parent or "
            "state_dir and put back), got \"/srv/app/node_modules\"");
  EXPECT_EQ(Add(o, "update.preserve", "../shared"),
            "must not hold \"..\" (a path outside the repo), got \"../shared\"");
  EXPECT_EQ(Add(o, "update.preserve", "a/../../b"),
            "must not hold \"..\" (a path outside the repo), got \"a/../../b\"");
  EXPECT_EQ(Add(o, "update.preserve", ".git"),
            "must not be or lie in .git (git's own data moves only with git), got \".git\"");
  EXPECT_EQ(
      Add(o, "update.preserve", "./.git/hooks"),
      "must not be or lie in .git (git's own data moves only with git), got \"./.git/hooks\"");
  EXPECT_EQ(Add(o, "update.preserve", "sub/.git"),
            "must not be or lie in .git (git's own data moves only with git), got \"sub/.git\"");
  for (const char* whole : {".", "./", "./."}) {
    EXPECT_EQ(Add(o, "update.preserve", whole),
              "must name a path inside the repo, not the repo itself, got \"" + std::string(whole) +
                  "\"");
  }
  EXPECT_EQ(Add(o, "update.preserve", "a\nb"), "must not hold control characters, got \"a?b\"");
  EXPECT_EQ(o.preserve.size(), 5u);
}

TEST(UpdateStepOptionsTest, RestartHealthCheckAndTheRest) {
  UpdateOptions o;
  EXPECT_EQ(Set(o, "update.restart.run", "pm2 restart render-manager"), std::nullopt);
  EXPECT_EQ(Set(o, "update.restart.timeout", "2m"), std::nullopt);
  EXPECT_EQ(Set(o, "update.health_check.url", "http://127.0.0.1:3000/api/version"), std::nullopt);
  EXPECT_EQ(Set(o, "update.health_check.expect_revision", "true"), std::nullopt);
  EXPECT_EQ(Set(o, "update.health_check.timeout", "500ms"), std::nullopt);
  EXPECT_EQ(Set(o, "update.health_check.retries", "0"), std::nullopt);
  EXPECT_EQ(Set(o, "update.health_check.interval", "1s"), std::nullopt);
  EXPECT_EQ(Set(o, "update.drain_timeout", "0"), std::nullopt);
  EXPECT_EQ(Set(o, "update.shutdown_timeout", "90s"), std::nullopt);
  EXPECT_EQ(Set(o, "update.on_interrupted", "report"), std::nullopt);
  EXPECT_EQ(Set(o, "update.keep_logs", "7"), std::nullopt);
  EXPECT_EQ(o.restart, (UpdateRestart{"pm2 restart render-manager", milliseconds(120'000)}));
  EXPECT_EQ(o.health_check.url, "http://127.0.0.1:3000/api/version");
  EXPECT_TRUE(o.health_check.expect_revision);
  EXPECT_EQ(o.health_check.timeout, milliseconds(500));
  EXPECT_EQ(o.health_check.retries, 0u);
  EXPECT_EQ(o.health_check.interval, milliseconds(1000));
  EXPECT_TRUE(o.health_check.configured());
  EXPECT_EQ(o.drain_timeout, milliseconds(0));
  EXPECT_EQ(o.shutdown_timeout, milliseconds(90'000));
  EXPECT_EQ(o.on_interrupted, OnInterrupted::kReport);
  EXPECT_EQ(o.keep_logs, 7u);
  EXPECT_EQ(Set(o, "update.on_interrupted", "rollback"), std::nullopt);
  EXPECT_EQ(o.on_interrupted, OnInterrupted::kRollback);
  EXPECT_EQ(Set(o, "update.health_check.url", "https://svc.internal/health"), std::nullopt);
  EXPECT_EQ(Set(o, "update.health_check.run", "curl -fsS localhost:3000"), std::nullopt);
}

TEST(UpdateStepOptionsTest, RefusedRestartHealthCheckAndTheRest) {
  UpdateOptions o;
  EXPECT_EQ(Set(o, "update.restart.run", ""), "must not be empty");
  EXPECT_EQ(Set(o, "update.restart.timeout", "500ms"), "must be at least 1s, got \"500ms\"");
  EXPECT_EQ(Set(o, "update.restart.timeout", "2h"), "must be at most 1h, got \"2h\"");
  for (const char* bad : {"", "127.0.0.1:3000/version", "ftp://x/", "http://", "http:///x",
                          "http://a b/", "HTTP://x/"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(Set(o, "update.health_check.url", bad),
              "must be an http:// or https:// URL with a host, got \"" + std::string(bad) + "\"");
  }
  EXPECT_EQ(Set(o, "update.health_check.run", ""), "must not be empty");
  EXPECT_EQ(Set(o, "update.health_check.expect_revision", "1"), "must be true or false, got \"1\"");
  EXPECT_EQ(Set(o, "update.health_check.timeout", "50ms"), "must be at least 100ms, got \"50ms\"");
  EXPECT_EQ(Set(o, "update.health_check.timeout", "11m"), "must be at most 10m, got \"11m\"");
  EXPECT_EQ(Set(o, "update.health_check.retries", "1001"),
            "must be an integer from 0 to 1000, got \"1001\"");
  EXPECT_EQ(Set(o, "update.health_check.interval", "0"), "must be at least 100ms, got \"0\"");
  EXPECT_EQ(Set(o, "update.drain_timeout", "2d"), "must be at most 1d, got \"2d\"");
  EXPECT_EQ(Set(o, "update.shutdown_timeout", "0s"), "must be at least 1s, got \"0s\"");
  EXPECT_EQ(Set(o, "update.on_interrupted", "ignore"),
            "must be one of rollback, report, got \"ignore\"");
  EXPECT_EQ(Set(o, "update.keep_logs", "0"), "must be an integer from 1 to 100000, got \"0\"");
  EXPECT_EQ(o, UpdateOptions{});
}

TEST(UpdateStepOptionsTest, EveryStepNeedsANameAndACommand) {
  EXPECT_EQ(Validate(Valid(), kGiven), std::nullopt);
  UpdateOptions o = Valid();
  o.steps.push_back(UpdateStep{.run = "npm run build"});
  std::optional<KeyedProblem> p = Validate(o, kGiven);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.steps[1]");
  EXPECT_EQ(p->message, "update.steps[1].name: required: it names the step in answers and logs");
  o.steps[1] = UpdateStep{.name = "build"};
  p = Validate(o, kGiven);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.steps[1]");
  EXPECT_EQ(p->message, "update.steps[1].run: required: the step's command");
}

TEST(UpdateStepOptionsTest, AnEmptyWhenChangedIsRefusedAbsentIsAlways) {
  UpdateOptions o = Valid();
  GivenKeys given = kGiven;
  EXPECT_EQ(Validate(o, given), std::nullopt);
  given.insert("update.steps[0].when_changed");
  const std::optional<KeyedProblem> p = Validate(o, given);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.steps[0].when_changed");
  EXPECT_EQ(p->message,
            "update.steps[0].when_changed: must list at least one pattern (leave it out and the "
            "step always runs)");
  o.steps[0].when_changed = {"package.json"};
  EXPECT_EQ(Validate(o, given), std::nullopt);
}

TEST(UpdateStepOptionsTest, ARestartSectionNeedsItsCommand) {
  UpdateOptions o = Valid();
  GivenKeys given = kGiven;
  given.insert({"update.restart", "update.restart.timeout"});
  const std::optional<KeyedProblem> p = Validate(o, given);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.restart");
  EXPECT_EQ(p->message, "update.restart.run: required: the command that restarts the service");
  o.restart.run = "pm2 restart app";
  EXPECT_EQ(Validate(o, given), std::nullopt);
}

TEST(UpdateStepOptionsTest, AHealthCheckHasExactlyOneOfUrlAndRun) {
  UpdateOptions o = Valid();
  GivenKeys given = kGiven;
  given.insert("update.health_check");
  std::optional<KeyedProblem> p = Validate(o, given);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.health_check");
  EXPECT_EQ(p->message, "update.health_check: needs url (an HTTP GET) or run (a command)");

  o.health_check.url = "http://127.0.0.1:3000/v";
  o.health_check.run = "true";
  p = Validate(o, given);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.health_check.run");
  EXPECT_EQ(p->message, "update.health_check: url and run exclude each other: give one");

  o.health_check.url.clear();
  o.health_check.expect_revision = true;
  p = Validate(o, given);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.health_check.expect_revision");
  EXPECT_EQ(p->message,
            "update.health_check.expect_revision: only with url (the revision is looked for in "
            "the answer's body)");
  o.health_check.expect_revision = false;
  EXPECT_EQ(Validate(o, given), std::nullopt);
}

TEST(UpdateStepOptionsTest, StateDirMustNotLieInsideTheRepo) {
  UpdateOptions o = Valid();
  GivenKeys given = kGiven;
  given.insert("update.state_dir");
  for (const char* inside :
       {"/srv/app", "/srv/app/", "/srv/app/var/state", "/srv/./app/x", "/srv/other/../app/state"}) {
    SCOPED_TRACE(inside);
    o.state_dir = inside;
    const std::optional<KeyedProblem> p = Validate(o, given);
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->key, "update.state_dir");
    EXPECT_EQ(p->message,
              "update.state_dir: must not lie inside update.repo (/srv/app): the checkout and the "
              "steps could change or remove the journal and logs, got \"" +
                  std::string(inside) + "\"");
  }
  for (const char* outside : {"/srv/app-state", "/srv/ap", "/srv", "/var/lib/upkeep"}) {
    SCOPED_TRACE(outside);
    o.state_dir = outside;
    EXPECT_EQ(Validate(o, given), std::nullopt);
  }
  // The default state_dir inside the repo: the repo's key is the one to blame.
  o.repo = "/var/lib";
  o.state_dir = "/var/lib/upkeep";
  const std::optional<KeyedProblem> p = Validate(o, kGiven);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "update.repo");
  // Relative paths compare as the loader will resolve them, against the working directory.
  o.repo = "service";
  o.state_dir = (std::filesystem::current_path() / "service" / "state").string();
  EXPECT_TRUE(Validate(o, given).has_value());
  o.state_dir = "state";
  EXPECT_EQ(Validate(o, given), std::nullopt);
}

}  // namespace
}  // namespace upkeep
