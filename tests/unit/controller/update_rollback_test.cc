// The update runner's failures against real repositories: a failing migration rolled back with
// the preserve paths restored, a failing rollback that leaves the run to an admin, a hung step
// whose whole group is killed, a health check that fails, a job that starts during the steps,
// and a shutdown in the middle of a step.

#include "controller/update_rollback.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "controller/update_journal.h"
#include "tests/support/process_checks.h"
#include "tests/support/scripted_http_server.h"
#include "tests/unit/controller/update_runner_fixture.h"

namespace upkeep::update_test {
namespace {

using namespace std::chrono_literals;

class UpdateRollbackTest : public UpdateRunnerFixture {
 protected:
  // node_modules and dist as the running version has them, owned by the service.
  void MakeDependencies() {
    repos_.WriteFile(repos_.service(), "node_modules/left-pad/index.js", "old dependency\n");
    repos_.WriteFile(repos_.service(), "dist/app.js", "old build \x7f\n");
  }
  void ExpectOldDependencies() {
    EXPECT_EQ(ReadFile(repos_.service() + "/node_modules/left-pad/index.js"), "old dependency\n");
    EXPECT_EQ(ReadFile(repos_.service() + "/dist/app.js"), "old build \x7f\n");
    EXPECT_FALSE(fs::exists(repos_.service() + "/node_modules/new-dep"));
  }
};

TEST_F(UpdateRollbackTest, AFailingMigrationIsRolledBackAndThePreservedPathsReturnUntouched) {
  MakeDependencies();
  const std::string from = Head();
  Release("v1.1.0", {{"migrations/002.sql", "ALTER\n"}, {"src/new-feature.js", "new\n"}});
  GiveToService();
  options_.preserve = {"node_modules", "dist"};
  options_.steps = {
      Step("install", "mkdir -p node_modules/new-dep && echo install >> " + out_ + "/ran"),
      Step("migrate", "echo migrate >> " + out_ + "/ran; exit 3"),
      Step("build", "echo build >> " + out_ + "/ran"),
  };
  options_.steps[0].rerun_on_rollback = true;
  options_.steps[1].rollback = "echo migrate-rollback $UPKEEP_TO_REV >> " + out_ + "/ran";
  options_.steps[1].backup = "echo backup >> " + out_ + "/ran";

  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_EQ(Head(), from);
  EXPECT_FALSE(fs::exists(repos_.service() + "/src/new-feature.js"));
  EXPECT_FALSE(fs::exists(repos_.service() + "/migrations/002.sql"));
  ExpectOldDependencies();
  // The rollback command ran; install was not re-run (its output came back by rename).
  EXPECT_EQ(ReadFile(out_ + "/ran"),
            "install\nbackup\nmigrate\nmigrate-rollback " + report.to_revision + "\n");
  ASSERT_EQ(report.steps.size(), 2u);
  EXPECT_EQ(report.steps[0].state, StepState::kRolledBack);
  EXPECT_EQ(report.steps[1].state, StepState::kFailed);
  EXPECT_EQ(report.steps[1].exit_code, 3);
  EXPECT_NE(report.message.find("migrate"), std::string::npos) << report.message;
  EXPECT_FALSE(fs::exists(JournalPath(state_dir_)));
  EXPECT_EQ(Runner().Counters().runs_total.at(UpdateResult::kRolledBack), 1u);
  // The checkout is clean again: a later update can go ahead.
  EXPECT_EQ(testing::Git(repos_.service(), {"-c", "safe.directory=*", "status", "--porcelain"}),
            "");
}

TEST_F(UpdateRollbackTest, WithoutPreservePathsTheRerunStepsRebuildOnTheOldRevision) {
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  options_.steps = {Step("install", "echo \"install $(git rev-parse HEAD)\" >> " + out_ + "/ran"),
                    Step("test", "false")};
  options_.steps[0].rerun_on_rollback = true;
  const std::string from = Head();
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_EQ(ReadFile(out_ + "/ran"), "install " + report.to_revision + "\ninstall " + from + "\n");
}

TEST_F(UpdateRollbackTest, AFailingRollbackKeepsTheJournalAndRefusesUpdatesUntilResolved) {
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  options_.steps = {Step("migrate", "exit 1")};
  options_.steps[0].rollback = "echo cannot >&2; exit 2";
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRollbackFailed) << report.message << "\n" << Log();
  Result<std::optional<UpdateJournal>> journal = ReadJournal(state_dir_);
  ASSERT_TRUE(journal.ok() && journal->has_value());
  EXPECT_EQ((*journal)->phase, UpdatePhase::kRollbackFailed);
  EXPECT_NE(Log().find("ROLLBACK FAILED"), std::string::npos) << Log();
  EXPECT_TRUE(Runner().Counters().recovery_pending);
  EXPECT_TRUE(Runner().LockFlags().recovery_pending);
  EXPECT_EQ(Runner().Counters().runs_total.at(UpdateResult::kRollbackFailed), 1u);
  const UpdateReport next = Execute();
  ASSERT_EQ(next.result, UpdateResult::kRefused);
  EXPECT_EQ(next.refusal->code, "recovery_pending");
  EXPECT_NE(next.message.find(report.update_id), std::string::npos) << next.message;
  // A restarted runner (a new daemon) refuses too: the journal is the state.
  runner_.reset();
  Runner().Recover();
  EXPECT_EQ(Execute().refusal->code, "recovery_pending");
  // `upkeep update resolve` removes the journal while the daemon runs: updates go on again
  // (the failed rollback left the checkout at the new revision: nothing to do).
  ASSERT_TRUE(RemoveJournal(state_dir_).ok());
  EXPECT_FALSE(Runner().Counters().recovery_pending);
  EXPECT_EQ(Execute().result, UpdateResult::kUpToDate);
}

TEST_F(UpdateRollbackTest, AStepPastItsTimeoutHasItsWholeGroupKilledAndIsRolledBack) {
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  options_.steps = {Step("hang", "sleep 1000 & echo $! > " + out_ + "/grandchild; sleep 1000")};
  options_.steps[0].timeout = 1s;
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  ASSERT_EQ(report.steps.size(), 1u);
  EXPECT_EQ(report.steps[0].state, StepState::kTimedOut);
  EXPECT_EQ(Head(), from);
  const pid_t grandchild = std::stoi(ReadFile(out_ + "/grandchild"));
  EXPECT_TRUE(Eventually([&] { return ProcessIsGone(grandchild); }));
}

TEST_F(UpdateRollbackTest, AFailingHealthCheckRollsBackAndRestartsTheOldRevision) {
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  options_.restart.run = "echo \"restart $(git rev-parse HEAD)\" >> " + out_ + "/restarts";
  // Healthy only on the old revision.
  options_.health_check.run = "test \"$(git rev-parse HEAD)\" = " + from;
  options_.health_check.retries = 1;
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_EQ(Head(), from);
  EXPECT_EQ(ReadFile(out_ + "/restarts"),
            "restart " + report.to_revision + "\nrestart " + from + "\n");
}

TEST_F(UpdateRollbackTest, AnHttpHealthCheckNamingTheOldRevisionDoesNotPass) {
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  // An old process still answering on the port: 200 with the old revision, every time.
  testing::ScriptedHttpServer server;
  server.SetReply({.raw = testing::ScriptedHttpServer::Response(
                       200, "OK", "{\"version\": \"v1.0.0\", \"revision\": \"" + from + "\"}")});
  options_.restart.run = "true";
  options_.health_check.url = server.url("/api/version");
  options_.health_check.expect_revision = true;
  options_.health_check.retries = 1;
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_NE(report.message.find("health check"), std::string::npos) << report.message;
  // After the rollback the old revision is expected, and the same answer passes.
  EXPECT_EQ(Head(), from);
}

TEST_F(UpdateRollbackTest, AServiceAnswering500IsRolledBackRestartedAndHealthyAgain) {
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  // 500 from the new revision; once the old one has been restarted, 200 again.
  testing::ScriptedHttpServer server;
  server.SetReply(
      {.raw = testing::ScriptedHttpServer::Response(500, "Internal Server Error", "{}")});
  std::atomic<bool> done{false};
  std::thread healer([&] {
    while (!done && ReadFile(out_ + "/restarts") != "restart\nrestart\n") {
      std::this_thread::sleep_for(5ms);
    }
    server.SetReply({.raw = testing::ScriptedHttpServer::Response(200, "OK", "{}")});
  });
  options_.restart.run = "echo restart >> " + out_ + "/restarts";
  options_.health_check.url = server.url("/healthz");
  options_.health_check.retries = 20;
  const UpdateReport report = Execute();
  done = true;
  healer.join();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_EQ(Head(), from);
  EXPECT_EQ(ReadFile(out_ + "/restarts"), "restart\nrestart\n");
  EXPECT_NE(report.message.find("500"), std::string::npos) << report.message;
}

TEST_F(UpdateRollbackTest, AJobThatStartsDuringTheStepsIsNotRestartedUnder) {
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  options_.steps = {Step("build", "touch " + out_ + "/job-started")};
  options_.restart.run = "touch " + out_ + "/restarted";
  options_.drain_timeout = 1s;
  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_FALSE(fs::exists(out_ + "/restarted"));
  EXPECT_EQ(Head(), from);
  EXPECT_NE(report.message.find("drain_timeout"), std::string::npos) << report.message;
}

TEST_F(UpdateRollbackTest, AShutdownMidStepKillsTheStepAndRollsBackBeforeItReturns) {
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  options_.steps = {Step("slow", "touch " + out_ + "/started; sleep 1000")};
  options_.shutdown_timeout = 30s;
  UpdateReport report;
  std::thread run([&] { report = Execute(); });
  ASSERT_TRUE(Eventually([&] { return fs::exists(out_ + "/started"); }, 30s));
  EXPECT_TRUE(Runner().Shutdown());
  run.join();
  EXPECT_EQ(report.result, UpdateResult::kRolledBack) << report.message << "\n" << Log();
  EXPECT_EQ(Head(), from);
  EXPECT_FALSE(fs::exists(JournalPath(state_dir_)));
  EXPECT_EQ(Execute().refusal->code, "shutting_down");
}

}  // namespace
}  // namespace upkeep::update_test
