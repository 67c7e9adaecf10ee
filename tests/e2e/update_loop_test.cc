// The update loop end to end, against real parts only: the example render manager
// (examples/render-manager) deployed as a git checkout and run by the real pm2 in a temp
// PM2_HOME, its SQLite database, a bare remote served by `git daemon` on 127.0.0.1, and the real
// upkeep binary managing it (the sqlite queue on the service's database, install / migrate /
// build steps, `pm2 restart`, a health check with expect_revision). Releases are pushed one
// after another, each updated through the HTTP API: refused while a job renders, a success with
// a migration, a migration failing half-way, a server that dies at start, a clean release after
// those two failures, and upkeep SIGKILLed during a slow build.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tests/e2e/e2e_commands.h"
#include "tests/e2e/pm2_home.h"
#include "tests/e2e/render_manager_config.h"
#include "tests/e2e/render_manager_releases.h"
#include "tests/e2e/render_manager_repos.h"
#include "tests/e2e/upkeep_under_test.h"
#include "tests/support/process_checks.h"
#include "tests/support/update_service_repos.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kApp = "render-manager";

class UpdateLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(pm2_binary_.empty())
        << "pm2 is missing: the e2e suite runs the real pm2, which `make test` installs into "
           "var/tools/pm2 (scripts/install-deps.sh test); or set UPKEEP_PM2 to a pm2 executable";
    port_ = FreeLoopbackPort();
    repos_ = std::make_unique<RenderManagerRepos>(dir_.path());
    ASSERT_FALSE(HasFailure());
    std::filesystem::create_directories(dir_.path() + "/data");
    pm2_ = std::make_unique<Pm2Home>(pm2_binary_, dir_.path() + "/pm2");

    // The first deploy, by hand, as an admin would: dependencies, schema, build, pm2.
    for (const std::vector<std::string>& command :
         {std::vector<std::string>{"npm", "ci", "--offline", "--no-audit", "--no-fund"},
          {"npm", "run", "db:migrate"},
          {"npm", "run", "build"},
          {pm2_binary_, "start", "ecosystem.config.js"}}) {
      const CommandResult done = RunIn(repos_->service(), command, ServiceEnv());
      ASSERT_EQ(done.exit_status, 0) << command[0] << " " << command[1] << ":\n" << done.output;
    }
    ASSERT_TRUE(Eventually([&] { return Request(port_, "GET", "/health").status == 200; }, 30s))
        << Pm2Logs();

    upkeep_ = std::make_unique<UpkeepUnderTest>(dir_.path());
    upkeep_->Configure(UpkeepConfig());
    upkeep_->Start();
    ASSERT_TRUE(upkeep_->started());
  }

  std::string db() const { return dir_.path() + "/data/render.sqlite"; }
  std::string state_dir() const { return dir_.path() + "/state"; }

  // What the service, its npm scripts and pm2 see: the service's port and database (outside
  // the checkout, as in production), pm2's home, and npm kept off the network and out of HOME.
  Environment ServiceEnv() const {
    Environment env = pm2_ ? pm2_->Env() : Environment{};
    env.insert({{"PORT", std::to_string(port_)},
                {"RENDER_DB", db()},
                {"npm_config_cache", dir_.path() + "/npm-cache"},
                {"npm_config_update_notifier", "false"},
                {"npm_config_audit", "false"},
                {"npm_config_fund", "false"}});
    return env;
  }

  std::string UpkeepConfig() const {
    return RenderManagerUpkeepConfig({.tokens_file = upkeep_->tokens_file(),
                                      .database = db(),
                                      .checkout = repos_->service(),
                                      .user = ThisUser(),
                                      .state_dir = state_dir(),
                                      .pm2 = pm2_binary_,
                                      .port = port_,
                                      .env = ServiceEnv()});
  }

  // pm2's view of the app, which must be listed.
  Pm2App App() {
    std::optional<Pm2App> app = pm2_->App(kApp);
    EXPECT_TRUE(app.has_value()) << pm2_->Run(dir_.path(), {"jlist"}).output;
    return app.value_or(Pm2App{});
  }
  std::string Pm2Logs() {
    return pm2_->Run(dir_.path(), {"logs", kApp, "--nostream", "--lines", "30"}).output;
  }

  // The service answers /api/version with this version and revision, and serves its build.
  void ExpectServing(const std::string& version, const std::string& revision) {
    const HttpResponse answer = Request(port_, "GET", "/api/version");
    EXPECT_EQ(answer.status, 200) << answer.body << "\n" << Pm2Logs();
    const json body = json::parse(answer.body, nullptr, false);
    EXPECT_EQ(body.value("version", ""), version) << answer.body;
    EXPECT_EQ(body.value("revision", ""), revision) << answer.body;
    const HttpResponse page = Request(port_, "GET", "/");
    EXPECT_NE(page.body.find(version), std::string::npos) << "dist/ is not " << version << ":\n"
                                                          << page.body;
  }

  // The checkout is at `revision`, clean (nothing a step made shows as untracked).
  void ExpectCheckoutAt(const std::string& revision) {
    EXPECT_EQ(repos_->ServiceHead(), revision);
    EXPECT_EQ(Git(repos_->service(), {"status", "--porcelain"}), "");
  }

  std::string Schema() {
    const CommandResult schema = RunCommand({"sqlite3", db(), ".schema"});
    EXPECT_EQ(schema.exit_status, 0) << schema.output;
    return schema.output;
  }

  // The health JSON's queue: idle (sqlite source, fresh, nothing queued or rendering).
  void ExpectIdleQueue() {
    const json queue =
        upkeep_->QueueWhen([](const json& q) { return q.is_object() && q["activeJobs"] == 0; });
    EXPECT_EQ(queue, json::parse(R"({"depth": 0, "activeJob": null, "activeJobs": 0,
                                     "source": "sqlite", "stale": false})"))
        << queue;
  }

  // /metrics holds every line (after the next samples).
  void ExpectMetrics(const std::vector<std::string>& lines) {
    const std::string text = upkeep_->MetricsWith(lines);
    for (const std::string& line : lines) EXPECT_TRUE(HasLine(text, line)) << line << "\n" << text;
  }
  static std::string Runs(const std::string& result, int count) {
    return "upkeep_update_runs_total{result=\"" + result + "\"} " + std::to_string(count);
  }
  static std::string Target(const std::string& version, const std::string& revision) {
    return "upkeep_target_info{version=\"" + version + "\",revision=\"" + revision + "\"} 1";
  }

  // What upkeep says about the checkout once a run has ended, without a new fetch: the check
  // answer (from memory, within min_fetch_interval) and upkeep_target_info name the version the
  // checkout is at now, not the one it was at when the run fetched.
  void ExpectUpkeepSeesCheckoutAt(const std::string& tag, const std::string& revision,
                                  bool update_available) {
    const json check = UpkeepUnderTest::Body(upkeep_->AdminGet("/api/system/update/check"));
    EXPECT_EQ(check["currentVersion"], tag) << check;
    EXPECT_EQ(check["currentRevision"], revision) << check;
    EXPECT_EQ(check["updateAvailable"], update_available) << check;
    ExpectMetrics({Target(tag, revision),
                   std::string("upkeep_update_available ") + (update_available ? "1" : "0")});
  }

  void ExpectLogged(const std::string& text) {
    EXPECT_NE(upkeep_->Log().find(text), std::string::npos) << text << "\n" << upkeep_->Log();
  }

  // A synchronous execute that ran (200); its body.
  json ExecuteRun() {
    const HttpResponse response = upkeep_->Execute();
    EXPECT_EQ(response.status, 200) << response.body << "\n" << upkeep_->Log();
    return UpkeepUnderTest::Body(response);
  }

  // The last run in the history is `id`, ended with `result`.
  void ExpectLastRun(const json& id, const std::string& result) {
    const json history = upkeep_->History();
    ASSERT_FALSE(history.empty()) << upkeep_->Log();
    EXPECT_EQ(history[0]["updateId"], id) << history[0];
    EXPECT_EQ(history[0]["result"], result) << history[0];
  }

  TempDir dir_;
  std::string pm2_binary_ = FindPm2();
  uint16_t port_ = 0;
  std::unique_ptr<RenderManagerRepos> repos_;
  // Destroyed in reverse: upkeep stopped first, then a build step it orphaned, then pm2 (its
  // daemon and app), then git daemon; the temp dir last.
  std::unique_ptr<Pm2Home> pm2_;
  ProcessGroupGuard orphaned_build_;
  std::unique_ptr<UpkeepUnderTest> upkeep_;
};

TEST_F(UpdateLoopTest, ReleasesAreRefusedUpdatedRolledBackAndRecovered) {
  const std::string v100 = repos_->ServiceHead();
  ExpectServing("1.0.0", v100);
  const Pm2App started = App();
  EXPECT_EQ(started.status, "online");
  ExpectIdleQueue();

  // 1. v1.1.0 (code and a migration) is pushed: the check sees it, and nothing blocks it.
  const std::string v110 = ReleaseRenderNodes(*repos_);
  const json check = upkeep_->Check();
  EXPECT_EQ(check["updateAvailable"], true) << check;
  EXPECT_EQ(check["changelog"], json::array({"Release 1.1.0", "Track render nodes"})) << check;
  EXPECT_EQ(check["canUpdate"], true) << check;
  EXPECT_EQ(check["blockers"], json::array()) << check;
  EXPECT_EQ(check["currentVersion"], "v1.0.0") << check;
  EXPECT_EQ(check["latestVersion"], "v1.1.0") << check;
  EXPECT_EQ(check["latestRevision"], v110) << check;
  ExpectMetrics({"upkeep_update_available 1", "upkeep_update_commits_behind 2",
                 Target("v1.0.0", v100), "upkeep_update_in_progress 0"});
  ExpectLogged("update available: v1.0.0 -> v1.1.0, 2 commits behind origin/main");

  // 2. A job renders: execute is refused and the service is not touched.
  const HttpResponse created = Request(
      port_, "POST", "/api/jobs", "Content-Type: application/json\r\n", R"({"name":"shot-010"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const int job = json::parse(created.body).value("id", 0);
  const json busy =
      upkeep_->QueueWhen([](const json& q) { return q.is_object() && q["activeJobs"] == 1; });
  EXPECT_EQ(busy["activeJobs"], 1) << busy;
  EXPECT_EQ(busy["depth"], 0) << busy;
  EXPECT_EQ(busy["source"], "sqlite") << busy;
  EXPECT_EQ(busy["stale"], false) << busy;
  EXPECT_EQ(busy["activeJob"]["id"], job) << busy;
  EXPECT_EQ(busy["activeJob"]["name"], "shot-010") << busy;
  EXPECT_EQ(busy["activeJob"]["status"], "rendering") << busy;
  const HttpResponse refused = upkeep_->Execute();
  EXPECT_EQ(refused.status, 409) << refused.body;
  const json refusal = UpkeepUnderTest::Body(refused);
  EXPECT_EQ(refusal["error"]["code"], "jobs_active") << refusal;
  EXPECT_EQ(refusal["result"], "refused") << refusal;
  EXPECT_EQ(refusal["activeJob"]["name"], "shot-010") << refusal;
  const Pm2App untouched = App();
  EXPECT_EQ(untouched.pid, started.pid);
  EXPECT_EQ(untouched.restarts, started.restarts);
  ExpectServing("1.0.0", v100);
  ExpectCheckoutAt(v100);
  ExpectMetrics({Runs("refused", 1), Runs("success", 0), "upkeep_queue_active_jobs 1"});
  ExpectLogged("update refused (jobs_active) for token:admin from 127.0.0.1");

  // 3. The job finishes: the update runs, pm2 restarts the service once, on v1.1.0.
  ASSERT_EQ(Request(port_, "POST", "/api/jobs/" + std::to_string(job) + "/finish").status, 200);
  ExpectIdleQueue();
  const json updated = ExecuteRun();
  EXPECT_EQ(updated["result"], "success") << updated;
  EXPECT_EQ(updated["newVersion"], "v1.1.0") << updated;
  EXPECT_EQ(updated["toRevision"], v110) << updated;
  ASSERT_EQ(updated["steps"].size(), 3u) << updated;
  for (const json& step : updated["steps"]) EXPECT_EQ(step["state"], "ok") << step;
  const Pm2App restarted = App();
  EXPECT_NE(restarted.pid, started.pid);
  EXPECT_EQ(restarted.restarts, started.restarts + 1);
  EXPECT_EQ(restarted.status, "online");
  ExpectServing("1.1.0", v110);
  ExpectCheckoutAt(v110);
  const std::string schema_v110 = Schema();
  EXPECT_NE(schema_v110.find("CREATE TABLE " + std::string(kRenderNodesTable)), std::string::npos)
      << schema_v110;
  ExpectLastRun(updated["updateId"], "success");
  ExpectIdleQueue();
  ExpectMetrics({Runs("success", 1), "upkeep_update_last_result{result=\"success\"} 1",
                 "upkeep_update_in_progress 0"});
  ExpectUpkeepSeesCheckoutAt("v1.1.0", v110, false);
  const std::string run_v110 = "update " + updated.value("updateId", "?") + ": ";
  ExpectLogged(run_v110 + "asked by token:admin from 127.0.0.1, from v1.0.0 to v1.1.0");
  ExpectLogged(run_v110 + "running restart: " + pm2_binary_ + " restart " + kApp);
  ExpectLogged(run_v110 + "result success: updated from v1.0.0 to v1.1.0");

  // 4. v1.2.0's migration fails half-way: rolled back before any restart, schema unchanged.
  ReleaseBrokenMigration(*repos_);
  const json broken = ExecuteRun();
  EXPECT_EQ(broken["result"], "rolled_back") << broken;
  EXPECT_EQ(broken["success"], false) << broken;
  EXPECT_EQ(broken["newVersion"], "v1.1.0") << broken;
  ASSERT_EQ(broken["steps"].size(), 2u) << broken;  // the build never ran
  EXPECT_EQ(broken["steps"][1]["name"], "migrate") << broken;
  EXPECT_EQ(broken["steps"][1]["state"], "failed") << broken;
  EXPECT_EQ(broken["steps"][1]["exitCode"], 1) << broken;
  const Pm2App after_migration = App();
  EXPECT_EQ(after_migration.pid, restarted.pid);
  EXPECT_EQ(after_migration.restarts, restarted.restarts);
  EXPECT_EQ(after_migration.status, "online");
  ExpectServing("1.1.0", v110);
  ExpectCheckoutAt(v110);
  EXPECT_EQ(Schema(), schema_v110);
  ExpectLastRun(broken["updateId"], "rolled_back");
  ExpectIdleQueue();
  ExpectMetrics({Runs("rolled_back", 1), "upkeep_update_last_result{result=\"rolled_back\"} 1"});
  ExpectUpkeepSeesCheckoutAt("v1.1.0", v110, true);
  const std::string run_v120 = "update " + broken.value("updateId", "?") + ": ";
  ExpectLogged(run_v120 + "migrate: failed (exit 1)");
  ExpectLogged(run_v120 + "running migrate:rollback: npm run db:rollback");
  ExpectLogged(run_v120 +
               "result rolled_back: step migrate failed (exit 1); rolled back to v1.1.0");

  // 5. v1.3.0's server exits at start: its health check fails, v1.1.0 is restarted.
  ReleaseCrashingServer(*repos_);
  const json crashed = ExecuteRun();
  EXPECT_EQ(crashed["result"], "rolled_back") << crashed;
  EXPECT_EQ(crashed["newVersion"], "v1.1.0") << crashed;
  EXPECT_NE(crashed.value("message", "").find("the health check failed"), std::string::npos)
      << crashed;
  EXPECT_EQ(App().status, "online");
  ExpectServing("1.1.0", v110);
  ExpectCheckoutAt(v110);
  ExpectLastRun(crashed["updateId"], "rolled_back");
  ExpectIdleQueue();
  ExpectMetrics({Runs("rolled_back", 2), Runs("success", 1)});
  ExpectUpkeepSeesCheckoutAt("v1.1.0", v110, true);
  const std::string run_v130 = "update " + crashed.value("updateId", "?") + ": ";
  ExpectLogged(run_v130 + "the health check failed after");
  ExpectLogged(run_v130 + "result rolled_back: the health check failed");

  // 6. A clean v1.4.0 goes through after the two failures.
  const std::string v140 = ReleaseCleanChange(*repos_);
  const json clean = ExecuteRun();
  EXPECT_EQ(clean["result"], "success") << clean;
  EXPECT_EQ(clean["fromVersion"], "v1.1.0") << clean;
  EXPECT_EQ(clean["newVersion"], "v1.4.0") << clean;
  const Pm2App on_v140 = App();
  EXPECT_EQ(on_v140.status, "online");
  ExpectServing("1.4.0", v140);
  ExpectCheckoutAt(v140);
  ExpectLastRun(clean["updateId"], "success");
  ExpectIdleQueue();
  ExpectMetrics({Runs("success", 2), Runs("rolled_back", 2), Runs("refused", 1)});
  ExpectUpkeepSeesCheckoutAt("v1.4.0", v140, false);
  ExpectLogged("update " + clean.value("updateId", "?") +
               ": result success: updated from v1.1.0 to v1.4.0");

  // 7. upkeep is SIGKILLed during v1.5.0's slow build; the next start recovers the run.
  ReleaseSlowBuild(*repos_, 120);
  const HttpResponse accepted = upkeep_->Execute("?async=true");
  ASSERT_EQ(accepted.status, 202) << accepted.body;
  const std::string id = UpkeepUnderTest::Body(accepted).value("updateId", "");
  ASSERT_TRUE(Eventually([&] { return upkeep_->Status(id)["runningStep"] == "build"; }, 60s))
      << upkeep_->Status(id) << "\n"
      << upkeep_->Log();
  // The journal names the build's process group (written before the status shows the step).
  const json journal = json::parse(ReadText(state_dir() + "/update.journal"), nullptr, false);
  ASSERT_TRUE(journal.is_object() && journal["running"].is_object()) << journal;
  ASSERT_EQ(journal["running"]["name"], "build") << journal;
  const pid_t build_group = journal["running"]["processGroup"].get<pid_t>();
  orphaned_build_.Watch(build_group, journal["running"]["leaderStartTicks"].get<uint64_t>());
  upkeep_->Kill();
  EXPECT_GT(LiveMembers(build_group), 0) << "the build was expected to outlive upkeep";

  upkeep_->Start();
  ASSERT_TRUE(upkeep_->started());
  ExpectLastRun(id, "interrupted");
  EXPECT_EQ(upkeep_->Status(id)["result"], "interrupted");
  EXPECT_TRUE(Eventually([&] { return LiveMembers(build_group) == 0; }));
  ExpectCheckoutAt(v140);
  ExpectServing("1.4.0", v140);
  const Pm2App recovered = App();
  EXPECT_EQ(recovered.pid, on_v140.pid);
  EXPECT_EQ(recovered.status, "online");
  ExpectIdleQueue();
  ExpectMetrics({"upkeep_update_interrupted 1", "upkeep_update_recovery_pending 0",
                 Runs("interrupted", 1), "upkeep_update_last_result{result=\"interrupted\"} 1",
                 "upkeep_update_in_progress 0"});
  const std::string run_v150 = "update " + id + ": ";
  ExpectLogged(run_v150 + "found interrupted in phase steps");
  ExpectLogged(run_v150 + "killed the orphaned process group " + std::to_string(build_group) +
               " of build");
  ExpectLogged(run_v150 + "result interrupted");
  // Nothing is left stuck: v1.5.0 can be tried again.
  const json again = upkeep_->Check();
  EXPECT_EQ(again["currentVersion"], "v1.4.0") << again;
  EXPECT_EQ(again["latestVersion"], "v1.5.0") << again;
  EXPECT_EQ(again["canUpdate"], true) << again;
  EXPECT_EQ(again["blockers"], json::array()) << again;
  ExpectUpkeepSeesCheckoutAt("v1.4.0", v140, true);
}

}  // namespace
}  // namespace upkeep::testing
