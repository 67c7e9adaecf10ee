// The update runner's forward path against real repositories: a successful update as the
// checkout's owner, when_changed, dry runs, refusals that change nothing, single flight.

#include "controller/update_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "controller/update_id.h"
#include "controller/update_journal.h"
#include "tests/unit/controller/update_runner_fixture.h"

namespace upkeep::update_test {
namespace {

using namespace std::chrono_literals;

class UpdateRunnerTest : public UpdateRunnerFixture {};

TEST_F(UpdateRunnerTest, AnUpdateRunsItsStepsAsTheOwnerRestartsAndPassesItsHealthCheck) {
  const std::string from = Head();
  const std::string to = Release("v1.1.0", {{"src/app.js", "console.log('v1.1');\n"}});
  GiveToService();
  options_.steps = {
      Step("install",
           "mkdir -p node_modules && echo dep > node_modules/dep && "
           "echo \"install $UPKEEP_UPDATE_ID $UPKEEP_FROM_REV $UPKEEP_TO_REV $(id -u) "
           "$GREETING\" >> " +
               out_ + "/steps"),
      Step("build", "mkdir -p dist && echo built > dist/app && echo build >> " + out_ + "/steps"),
  };
  options_.env = {{"GREETING", "hello"}};
  options_.restart.run = "echo restart >> " + out_ + "/steps";
  options_.health_check.run = "grep -q restart " + out_ + "/steps";

  const UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kSuccess) << report.message << "\n" << Log();
  EXPECT_EQ(Head(), to);
  EXPECT_EQ(report.from_revision, from);
  EXPECT_EQ(report.to_revision, to);
  EXPECT_EQ(report.to_version, "v1.1.0");
  ASSERT_EQ(report.steps.size(), 2u);
  EXPECT_EQ(report.steps[0].name, "install");
  EXPECT_EQ(report.steps[0].state, StepState::kOk);
  EXPECT_EQ(report.steps[0].exit_code, 0);
  EXPECT_EQ(report.steps[1].name, "build");

  const std::string steps = ReadFile(out_ + "/steps");
  EXPECT_EQ(steps, "install " + report.update_id + " " + from + " " + to + " 65534 hello\n" +
                       "build\nrestart\n");
  // What the steps made belongs to the checkout's owner.
  EXPECT_EQ(OwnerOf(repos_.service() + "/node_modules/dep"), kServiceUid);
  EXPECT_EQ(OwnerOf(repos_.service() + "/dist/app"), kServiceUid);
  EXPECT_EQ(OwnerOf(repos_.service() + "/src/app.js"), kServiceUid);

  // Recorded: one history line, the run's log, no journal left.
  Result<HistoryPage> history = Runner().History(10);
  ASSERT_TRUE(history.ok()) << history.error();
  ASSERT_EQ(history->entries.size(), 1u);
  EXPECT_EQ(history->entries[0].id, report.update_id);
  EXPECT_EQ(history->entries[0].result, UpdateResult::kSuccess);
  EXPECT_EQ(history->entries[0].who, "token:ops from 127.0.0.1");
  EXPECT_FALSE(fs::exists(JournalPath(state_dir_)));
  const std::string log = ReadFile(report.log_path);
  EXPECT_NE(log.find("--- step install"), std::string::npos) << log;
  EXPECT_NE(log.find("result success"), std::string::npos) << log;
  const UpdateRunCounters counters = Runner().Counters();
  EXPECT_EQ(counters.runs_total.at(UpdateResult::kSuccess), 1u);
  EXPECT_EQ(counters.runs_total.at(UpdateResult::kRolledBack), 0u);
  EXPECT_TRUE(counters.has_last);
  EXPECT_FALSE(counters.in_progress);

  // The check knows at once where the checkout is now, without a fetch of its own.
  const uint64_t runs = checker_->helper_runs();
  const UpdateCheckOutcome check = checker_->Check();
  ASSERT_TRUE(check.answer.has_value());
  EXPECT_EQ(check.answer->current_revision, to);
  EXPECT_FALSE(check.answer->update_available);
  EXPECT_EQ(checker_->helper_runs(), runs);

  // Nothing new: up to date, nothing run.
  const UpdateReport again = Execute();
  EXPECT_EQ(again.result, UpdateResult::kUpToDate) << again.message;
  EXPECT_EQ(Runner().Counters().runs_total.at(UpdateResult::kUpToDate), 1u);
  EXPECT_EQ(ReadFile(out_ + "/steps"), steps);
}

TEST_F(UpdateRunnerTest, WhenChangedSkipsAMigrationTheUpdateDoesNotTouchAndRunsOneItAdds) {
  options_.steps = {Step("migrate", "echo migrate >> " + out_ + "/migrations")};
  options_.steps[0].when_changed = {"migrations/**"};
  Release("v1.1.0", {{"src/app.js", "1\n"}});
  GiveToService();
  UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kSuccess) << report.message << "\n" << Log();
  ASSERT_EQ(report.steps.size(), 1u);
  EXPECT_EQ(report.steps[0].state, StepState::kSkipped);
  EXPECT_FALSE(fs::exists(out_ + "/migrations"));
  EXPECT_NE(ReadFile(report.log_path).find("migrate: skipped"), std::string::npos);

  Release("v1.2.0", {{"migrations/002_add_frames.sql", "ALTER TABLE ...;\n"}});
  report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kSuccess) << report.message << "\n" << Log();
  EXPECT_EQ(report.steps[0].state, StepState::kOk);
  EXPECT_EQ(ReadFile(out_ + "/migrations"), "migrate\n");
}

TEST_F(UpdateRunnerTest, ADryRunSaysWhatWouldRunAndChangesNothing) {
  options_.steps = {Step("install", "touch " + out_ + "/ran"), Step("migrate", "true")};
  options_.steps[1].when_changed = {"migrations/**"};
  const std::string from = Head();
  const std::string to = Release("v1.1.0", {{"package.json", "{}\n"}});
  GiveToService();
  const UpdateReport report = Execute(/*dry_run=*/true);
  EXPECT_EQ(report.result, UpdateResult::kSuccess) << report.message;
  EXPECT_TRUE(report.dry_run);
  EXPECT_EQ(report.to_revision, to);
  ASSERT_EQ(report.planned.size(), 2u);
  EXPECT_TRUE(report.planned[0].runs);
  EXPECT_FALSE(report.planned[1].runs);
  EXPECT_EQ(Head(), from);
  EXPECT_FALSE(fs::exists(out_ + "/ran"));
  EXPECT_TRUE(Runner().History(10)->entries.empty());
}

TEST_F(UpdateRunnerTest, ABusyOrUnknownQueueRefusesAndNothingChanges) {
  options_.steps = {Step("install", "touch " + out_ + "/ran")};
  const std::string from = Head();
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  QueueState busy{.status = QueueStatus::kBusy, .depth = 1, .active_jobs = 1};
  busy.active_job = {{"id", 7}};
  SetQueue(busy);
  UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRefused);
  EXPECT_EQ(report.refusal->code, "jobs_active");
  EXPECT_EQ(report.refusal->active_job["id"], 7);
  SetQueue(QueueState{.status = QueueStatus::kUnknown, .reason = "no such table: jobs"});
  report = Execute();
  EXPECT_EQ(report.refusal->code, "queue_unknown");
  EXPECT_EQ(Runner().Counters().runs_total.at(UpdateResult::kRefused), 2u);
  EXPECT_EQ(Head(), from);
  EXPECT_FALSE(fs::exists(out_ + "/ran"));
  EXPECT_FALSE(fs::exists(JournalPath(state_dir_)));
}

TEST_F(UpdateRunnerTest, ADirtyTreeOrADivergedHistoryRefusesAndTheLocalChangeIsKept) {
  options_.steps = {Step("install", "touch " + out_ + "/ran")};
  Release("v1.1.0", {{"a.txt", "a\n"}});
  const std::string local = "local edit \x01 bytes\n";
  repos_.WriteFile(repos_.service(), "notes.txt", local);
  GiveToService();
  const std::string from = Head();
  UpdateReport report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRefused);
  EXPECT_EQ(report.refusal->code, "dirty_worktree") << report.message;
  EXPECT_EQ(ReadFile(repos_.service() + "/notes.txt"), local);
  EXPECT_EQ(Head(), from);

  fs::remove(repos_.service() + "/notes.txt");
  testing::Git(repos_.service(),
               {"-c", "safe.directory=*", "commit", "-q", "--allow-empty", "-m", "a local commit"});
  GiveToService();
  report = Execute();
  ASSERT_EQ(report.result, UpdateResult::kRefused);
  EXPECT_EQ(report.refusal->code, "diverged") << report.message;
  EXPECT_FALSE(fs::exists(out_ + "/ran"));
}

TEST_F(UpdateRunnerTest,
       OfTwentyConcurrentExecutesExactlyOneRunsAndABackgroundCheckFetchesNothing) {
  options_.steps = {Step("slow", "touch " + out_ + "/slow-started; sleep 2")};
  Release("v1.1.0", {{"a.txt", "a\n"}});
  GiveToService();
  Runner();
  std::vector<UpdateReport> reports(20);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < reports.size(); ++i) {
    threads.emplace_back([&, i] { reports[i] = Execute(); });
  }
  // While the run is under way, the check answers from memory.
  while (!fs::exists(out_ + "/slow-started")) std::this_thread::sleep_for(10ms);
  const uint64_t runs_before = checker_->helper_runs();
  const UpdateCheckOutcome check = checker_->Check(/*refresh=*/true);
  EXPECT_EQ(checker_->helper_runs(), runs_before);
  EXPECT_TRUE(Runner().LockFlags().update_in_progress);
  for (std::thread& thread : threads) thread.join();
  int succeeded = 0;
  int refused = 0;
  for (const UpdateReport& report : reports) {
    if (report.result == UpdateResult::kSuccess) ++succeeded;
    if (report.result == UpdateResult::kRefused) {
      ++refused;
      EXPECT_EQ(report.refusal->code, "update_in_progress") << report.message;
    }
  }
  EXPECT_EQ(succeeded, 1);
  EXPECT_EQ(refused, 19);
}

TEST_F(UpdateRunnerTest, AnAsyncRunIsFollowedThroughStatusAndHistoryKeepsEveryRun) {
  options_.steps = {Step("install", "sleep 0.3")};
  GiveToService();
  std::vector<std::string> ids;
  for (int release = 1; release <= 3; ++release) {
    Release("v1." + std::to_string(release) + ".0", {{"a.txt", std::to_string(release)}});
    const UpdateReport started = Runner().Execute(
        ExecuteRequest{.who = "jwt:alice from 10.0.0.1", .dry_run = false, .async = true});
    ASSERT_TRUE(started.accepted) << started.message;
    ASSERT_TRUE(IsValidUpdateId(started.update_id));
    ids.push_back(started.update_id);
    for (int i = 0; i < 600; ++i) {
      Result<std::optional<UpdateRunStatus>> status = Runner().Status(started.update_id);
      ASSERT_TRUE(status.ok()) << status.error();
      ASSERT_TRUE(status->has_value());
      if (!(*status)->running) {
        EXPECT_EQ((*status)->report.result, UpdateResult::kSuccess);
        EXPECT_FALSE((*status)->log_tail.empty());
        break;
      }
      std::this_thread::sleep_for(50ms);
    }
  }
  Result<HistoryPage> history = Runner().History(10);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->entries.size(), 3u);
  EXPECT_EQ(history->entries[0].id, ids[2]);  // newest first
  EXPECT_EQ(history->entries[2].id, ids[0]);
  EXPECT_EQ(history->entries[1].who, "jwt:alice from 10.0.0.1");
  // An id that is not one is no run, and no file is looked at for it.
  Result<std::optional<UpdateRunStatus>> bad = Runner().Status("../../etc/passwd");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->has_value());
}

}  // namespace
}  // namespace upkeep::update_test
