// The update execution API through the real binary: POST /api/system/update/execute, GET
// .../status and .../history over HTTP on 127.0.0.1, updating a real git checkout (a clone of
// a bare remote in a temp dir) with real step, restart and health check commands, a real
// SQLite queue, and `upkeep update resolve` after a failed rollback.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "controller/update_id.h"
#include "tests/support/api_tokens.h"
#include "tests/support/sqlite_db.h"
#include "tests/support/update_service_repos.h"

namespace upkeep::testing {
namespace {

using nlohmann::json;

constexpr const char* kExecute = "/api/system/update/execute";
constexpr const char* kStatus = "/api/system/update/status";
constexpr const char* kHistory = "/api/system/update/history";

class UpdateExecuteTest : public ::testing::Test, protected UpdateServiceRepos {
 protected:
  // Two steps (one only for docs/ changes, which no release here touches), a restart and a
  // health check that passes only after the restart; each leaves a marker.
  std::string Steps() const {
    return WithMarkers(R"(  steps:
    - name: build
      run: 'echo "$UPKEEP_TO_REV" > {markers}/build; pwd > {markers}/build-cwd'
    - name: docs
      run: 'touch {markers}/docs'
      when_changed: ["docs/**"]
  restart:
    run: 'echo restarted >> {markers}/restarts'
  health_check:
    run: 'test -e {markers}/restarts'
    retries: 1
    interval: 100ms
)");
  }

  bool Marker(const std::string& name) const {
    return std::filesystem::exists(markers() + "/" + name);
  }

  // An error answer: status, JSON content type, error.code and a message.
  static void ExpectError(const HttpResponse& response, int status, const std::string& code) {
    EXPECT_EQ(response.status, status) << response.body;
    EXPECT_EQ(response.Header("content-type"), "application/json");
    const json body = Body(response);
    ASSERT_TRUE(body.is_object()) << response.body;
    EXPECT_EQ(body["error"]["code"], code) << response.body;
    EXPECT_TRUE(body["error"]["message"].is_string()) << response.body;
  }
};

TEST_F(UpdateExecuteTest, EveryRouteIsForAdminsWithItsMethods) {
  Start(Steps());
  struct RouteCase {
    std::string path;
    std::string method;
    std::string wrong_method;
    std::string allow;
  };
  for (const RouteCase& route :
       {RouteCase{kExecute, "POST", "GET", "POST"}, RouteCase{kStatus, "GET", "POST", "GET, HEAD"},
        RouteCase{kHistory, "GET", "DELETE", "GET, HEAD"}}) {
    SCOPED_TRACE(route.path);
    const uint16_t port = daemon().port();
    const HttpResponse anonymous = Request(port, route.method, route.path);
    ExpectError(anonymous, 401, "unauthorized");
    EXPECT_NE(anonymous.Header("www-authenticate"), "");
    ExpectError(Request(port, route.method, route.path, Bearer(metrics_token())), 403, "forbidden");
    const HttpResponse wrong = Request(port, route.wrong_method, route.path, Bearer(admin_token()));
    ExpectError(wrong, 405, "method_not_allowed");
    EXPECT_EQ(wrong.Header("allow"), route.allow);
  }
  // None of them ran an update.
  EXPECT_EQ(History()["entries"], json::array());
  EXPECT_FALSE(Marker("build"));
}

TEST_F(UpdateExecuteTest, AMalformedRequestIs400AndChangesNothing) {
  PushRelease("v1.1.0");
  const std::string head = ServiceHead();
  Start(Steps());
  ExpectError(Execute("", "not json"), 400, "invalid_body");
  ExpectError(Execute("", "[true]"), 400, "invalid_body");
  ExpectError(Execute("", R"({"dryRun": true, "force": true})"), 400, "invalid_body");
  ExpectError(Execute("", R"({"dryRun": "yes"})"), 400, "invalid_body");
  ExpectError(Execute("?async=maybe"), 400, "invalid_query");
  ExpectError(Execute("?now=1"), 400, "invalid_query");
  const json unknown = Body(Execute("", R"({"dryRun": true, "force": true})"));
  EXPECT_NE(unknown["error"]["message"].get<std::string>().find("\"force\""), std::string::npos)
      << unknown;
  EXPECT_EQ(ServiceHead(), head);
  EXPECT_FALSE(Marker("build"));
  EXPECT_FALSE(std::filesystem::exists(journal_path()));
}

TEST_F(UpdateExecuteTest, ADryRunSaysWhichStepsWouldRunAndChangesNothing) {
  const std::string latest = PushRelease("v1.1.0");
  const std::string head = ServiceHead();
  Start(Steps());
  const json body = ExecuteOk(R"({"dryRun": true})");
  EXPECT_EQ(body["success"], true) << body;
  EXPECT_EQ(body["dryRun"], true) << body;
  EXPECT_EQ(body["result"], "success") << body;
  EXPECT_EQ(body["steps"], json::parse(R"([{"name": "build", "wouldRun": true},
                                            {"name": "docs", "wouldRun": false}])"))
      << body;
  EXPECT_EQ(body["fromRevision"], head);
  EXPECT_EQ(body["toRevision"], latest);
  EXPECT_EQ(body["fromVersion"], "v1.0.0");
  EXPECT_EQ(body["toVersion"], "v1.1.0");
  EXPECT_EQ(body["newVersion"], "v1.0.0") << body;  // nothing moved
  EXPECT_TRUE(body["updateId"].is_null()) << body;
  EXPECT_EQ(ServiceHead(), head);
  EXPECT_FALSE(Marker("build"));
  EXPECT_FALSE(Marker("restarts"));
  EXPECT_EQ(History()["entries"], json::array());
}

TEST_F(UpdateExecuteTest, ASynchronousExecuteUpdatesRunsTheStepsAndThenIsUpToDate) {
  const std::string from = ServiceHead();
  const std::string latest = PushRelease("v1.1.0");
  Start(Steps());
  const HttpResponse response = Execute();
  ASSERT_EQ(response.status, 200) << response.body << "\n" << daemon().Log();
  EXPECT_EQ(response.Header("content-type"), "application/json");
  const json body = Body(response);
  EXPECT_EQ(body["success"], true) << body;
  EXPECT_EQ(body["result"], "success") << body;
  EXPECT_EQ(body["newVersion"], "v1.1.0") << body;
  EXPECT_EQ(body["fromVersion"], "v1.0.0");
  EXPECT_EQ(body["fromRevision"], from);
  EXPECT_EQ(body["toRevision"], latest);
  ASSERT_TRUE(body["updateId"].is_string()) << body;
  EXPECT_TRUE(IsValidUpdateId(body["updateId"].get<std::string>())) << body;
  ASSERT_EQ(body["steps"].size(), 2u) << body;
  EXPECT_EQ(body["steps"][0]["name"], "build");
  EXPECT_EQ(body["steps"][0]["state"], "ok");
  EXPECT_EQ(body["steps"][0]["exitCode"], 0);
  EXPECT_EQ(body["steps"][1]["name"], "docs");
  EXPECT_EQ(body["steps"][1]["state"], "skipped");
  EXPECT_NE(body["who"].get<std::string>().find("token:admin"), std::string::npos) << body;
  EXPECT_TRUE(body["startedAt"].is_string());
  EXPECT_TRUE(body["finishedAt"].is_string());
  ASSERT_TRUE(body["logPath"].is_string()) << body;
  EXPECT_TRUE(std::filesystem::exists(body["logPath"].get<std::string>()));

  // The checkout moved; the step ran in it with the new revision; the service was restarted.
  EXPECT_EQ(ServiceHead(), latest);
  EXPECT_EQ(ReadText(markers() + "/build"), latest + "\n");
  EXPECT_EQ(ReadText(markers() + "/build-cwd"), repos().service() + "\n");
  EXPECT_FALSE(Marker("docs"));
  EXPECT_EQ(ReadText(markers() + "/restarts"), "restarted\n");
  EXPECT_FALSE(std::filesystem::exists(journal_path()));

  const json again = ExecuteOk();
  EXPECT_EQ(again["success"], true) << again;
  EXPECT_EQ(again["result"], "up_to_date") << again;
  EXPECT_EQ(again["newVersion"], "v1.1.0") << again;
  EXPECT_TRUE(again["updateId"].is_null()) << again;
  EXPECT_EQ(ReadText(markers() + "/restarts"), "restarted\n");  // nothing ran again

  const std::string metrics = MetricsWith(
      {"upkeep_update_runs_total{result=\"success\"} 1", "upkeep_update_in_progress 0"});
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_runs_total{result=\"success\"} 1")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_in_progress 0")) << metrics;
}

TEST_F(UpdateExecuteTest, AnAsynchronousExecuteIsAcceptedAndItsStatusFollowsIt) {
  const std::string latest = PushRelease("v1.1.0");
  Start(Steps());
  const HttpResponse accepted = Execute("?async=true");
  ASSERT_EQ(accepted.status, 202) << accepted.body << "\n" << daemon().Log();
  const json body = Body(accepted);
  EXPECT_EQ(body["accepted"], true) << body;
  EXPECT_EQ(body["success"], true) << body;
  EXPECT_TRUE(body["result"].is_null()) << body;
  ASSERT_TRUE(body["updateId"].is_string()) << body;
  const std::string id = body["updateId"];
  const std::string location = accepted.Header("location");
  EXPECT_EQ(location, std::string(kStatus) + "?id=" + id);
  EXPECT_EQ(body["statusUrl"], location);

  const json status = WaitForRunEnd(location);
  EXPECT_EQ(status["running"], false) << status;
  EXPECT_EQ(status["phase"], "finished") << status;
  EXPECT_EQ(status["result"], "success") << status;
  EXPECT_EQ(status["success"], true) << status;
  EXPECT_EQ(status["updateId"], id);
  EXPECT_EQ(status["newVersion"], "v1.1.0") << status;
  ASSERT_TRUE(status["logTail"].is_array()) << status;
  EXPECT_FALSE(status["logTail"].empty()) << status;
  EXPECT_EQ(ServiceHead(), latest);
  EXPECT_EQ(ReadText(markers() + "/build"), latest + "\n");

  // Without an id: the last run.
  const HttpResponse last = AdminGet(kStatus);
  EXPECT_EQ(last.status, 200) << last.body;
  EXPECT_EQ(Body(last)["updateId"], id) << last.body;
}

TEST_F(UpdateExecuteTest, HistoryListsRunsNewestFirstAndUnknownIdsAre404) {
  Start(Steps());
  ExpectError(AdminGet(kStatus), 404, "not_found");  // no run yet
  std::vector<std::string> ids;
  for (const std::string tag : {"v1.1.0", "v1.2.0", "v1.3.0"}) {
    PushRelease(tag);
    const json body = ExecuteOk();
    EXPECT_EQ(body["result"], "success") << body;
    ids.push_back(body.value("updateId", ""));
  }
  const json two = History(2);
  ASSERT_EQ(two["entries"].size(), 2u) << two;
  EXPECT_EQ(two["entries"][0]["updateId"], ids[2]);
  EXPECT_EQ(two["entries"][0]["newVersion"], "v1.3.0");
  EXPECT_EQ(two["entries"][1]["updateId"], ids[1]);
  EXPECT_EQ(two["skippedLines"], 0);
  const json all = History();
  ASSERT_EQ(all["entries"].size(), 3u) << all;
  EXPECT_EQ(all["entries"][2]["updateId"], ids[0]);
  EXPECT_EQ(all["entries"][2]["result"], "success");
  ExpectError(AdminGet(std::string(kHistory) + "?limit=0"), 400, "invalid_query");

  // A finished run by id; an id that is not one, and one of the right shape that never ran.
  const HttpResponse first = AdminGet(std::string(kStatus) + "?id=" + ids[0]);
  EXPECT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(Body(first)["newVersion"], "v1.1.0") << first.body;
  ExpectError(AdminGet(std::string(kStatus) + "?id=../etc"), 404, "not_found");
  ExpectError(AdminGet(std::string(kStatus) + "?id=../../etc/passwd"), 404, "not_found");
  const std::string unknown = "20200101T000000Z-0123abcd";
  ASSERT_TRUE(IsValidUpdateId(unknown));
  ExpectError(AdminGet(std::string(kStatus) + "?id=" + unknown), 404, "not_found");
}

TEST_F(UpdateExecuteTest, AnActiveJobInTheQueueIsJobsActive) {
  SqliteDb(queue_db())
      .Exec(
          "INSERT INTO jobs (id, name, status, progress, created_at, started_at) VALUES "
          "(7, 'shot_010_comp', 'running', 0.5, '2024-05-01T10:00:00Z', '2024-05-01T10:01:00Z');");
  PushRelease("v1.1.0");
  const std::string head = ServiceHead();
  Start(Steps());
  const HttpResponse response = Execute();
  ExpectError(response, 409, "jobs_active");
  const json body = Body(response);
  EXPECT_EQ(body["success"], false) << body;
  EXPECT_EQ(body["result"], "refused") << body;
  EXPECT_EQ(body["activeJobs"], 1) << body;
  EXPECT_EQ(body["activeJob"]["id"], 7) << body;
  EXPECT_EQ(body["activeJob"]["name"], "shot_010_comp") << body;
  EXPECT_EQ(body["activeJob"]["status"], "running") << body;
  EXPECT_EQ(ServiceHead(), head);
  EXPECT_FALSE(Marker("build"));
  EXPECT_FALSE(std::filesystem::exists(journal_path()));
  EXPECT_EQ(History()["entries"], json::array());
}

// A run whose step fails (while the flag file is there) and whose rollback fails too.
class UpdateExecuteRollbackFailedTest : public UpdateExecuteTest {
 protected:
  void SetUp() override {
    steps_ = WithMarkers(R"(  steps:
    - name: migrate
      run: 'test ! -e {markers}/fail && touch {markers}/migrated'
      rollback: 'echo cannot undo >&2; exit 4'
)");
    config_ = WriteConfig(steps_);
    from_ = ServiceHead();
    latest_ = PushRelease("v1.1.0");
    WriteText(markers() + "/fail", "1\n");
    Start(steps_);

    failed_ = ExecuteOk();
    EXPECT_EQ(failed_["success"], false) << failed_;
    EXPECT_EQ(failed_["result"], "rollback_failed") << failed_;
    EXPECT_TRUE(failed_["newVersion"].is_null()) << failed_;
    ASSERT_TRUE(failed_["steps"].is_array() && failed_["steps"].size() == 1u) << failed_;
    EXPECT_EQ(failed_["steps"][0]["state"], "failed") << failed_;
    EXPECT_EQ(failed_["steps"][0]["exitCode"], 1) << failed_;
    EXPECT_TRUE(std::filesystem::exists(journal_path()));
    // The rollback stopped before the checkout was moved back: HEAD stays where it ended.
    EXPECT_EQ(ServiceHead(), latest_);
  }

  CommandResult Resolve() const {
    return RunCommand({UPKEEP_BINARY, "update", "resolve", "--config", config_});
  }

  // What the admin does before resolving: puts the checkout right, fixes the step.
  void PutRight() {
    Git(repos().service(), {"reset", "--quiet", "--hard", from_});
    std::filesystem::remove(markers() + "/fail");
  }

  std::string steps_;
  std::string config_;
  std::string from_;
  std::string latest_;
  json failed_;
};

TEST_F(UpdateExecuteRollbackFailedTest, IsPendingUntilResolved) {
  const HttpResponse refused = Execute();
  ExpectError(refused, 409, "recovery_pending");
  EXPECT_NE(Body(refused)["error"]["message"].get<std::string>().find("upkeep update resolve"),
            std::string::npos)
      << refused.body;
  const std::string metrics =
      MetricsWith({"upkeep_update_recovery_pending 1",
                   "upkeep_update_runs_total{result=\"rollback_failed\"} 1"});
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_recovery_pending 1")) << metrics;
  EXPECT_TRUE(HasLine(metrics, "upkeep_update_runs_total{result=\"rollback_failed\"} 1"))
      << metrics;
  for (const std::string result :
       {"success", "up_to_date", "rolled_back", "rollback_failed", "refused", "interrupted"}) {
    EXPECT_NE(metrics.find("\nupkeep_update_runs_total{result=\"" + result + "\"} "),
              std::string::npos)
        << result << "\n"
        << metrics;
  }

  // The admin stops the daemon, puts the service right, and resolves the run.
  ASSERT_TRUE(Stop(SIGTERM).has_value());
  PutRight();
  const CommandResult resolved = Resolve();
  EXPECT_EQ(resolved.exit_status, 0) << resolved.output;
  EXPECT_NE(resolved.output.find(failed_.value("updateId", "?")), std::string::npos)
      << resolved.output;
  EXPECT_FALSE(std::filesystem::exists(journal_path()));

  Start(steps_);
  const std::string after = MetricsWith({"upkeep_update_recovery_pending 0"});
  EXPECT_TRUE(HasLine(after, "upkeep_update_recovery_pending 0")) << after;
  const json ok = ExecuteOk();
  EXPECT_EQ(ok["result"], "success") << ok << "\n" << daemon().Log();
  EXPECT_EQ(ServiceHead(), latest_);
  EXPECT_TRUE(Marker("migrated"));
  const json history = History();
  ASSERT_EQ(history["entries"].size(), 2u) << history;
  EXPECT_EQ(history["entries"][0]["result"], "success");
  EXPECT_EQ(history["entries"][1]["result"], "rollback_failed");
}

TEST_F(UpdateExecuteRollbackFailedTest, AResolveIsNoticedByTheRunningDaemon) {
  ExpectError(Execute(), 409, "recovery_pending");
  PutRight();
  const CommandResult resolved = Resolve();
  EXPECT_EQ(resolved.exit_status, 0) << resolved.output;
  EXPECT_FALSE(std::filesystem::exists(journal_path()));
  // No restart: the next execute goes ahead.
  const json ok = ExecuteOk();
  EXPECT_EQ(ok["result"], "success") << ok << "\n" << daemon().Log();
  EXPECT_EQ(ServiceHead(), latest_);
  EXPECT_TRUE(HasLine(MetricsWith({"upkeep_update_recovery_pending 0"}),
                      "upkeep_update_recovery_pending 0"));
}

}  // namespace
}  // namespace upkeep::testing
