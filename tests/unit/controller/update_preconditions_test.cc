#include "controller/update_preconditions.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upkeep {
namespace {

GitFacts CleanFacts() {
  GitFacts facts;
  facts.branch = "main";
  facts.current_revision = std::string(40, 'a');
  facts.latest_revision = std::string(40, 'b');
  facts.remote = "origin";
  facts.remote_branch = "main";
  facts.remote_url = "ssh://git@example.org/app.git";
  facts.commits_behind = 2;
  return facts;
}

TEST(UpdatePreconditionsTest, AnIdleQueueLetsTheUpdateGoOn) {
  EXPECT_EQ(RefusalOfQueue(QueueState{.status = QueueStatus::kIdle}), std::nullopt);
}

TEST(UpdatePreconditionsTest, ABusyQueueRefusesWithTheActiveJob) {
  QueueState queue{.status = QueueStatus::kBusy, .depth = 3, .active_jobs = 2};
  queue.active_job = {{"id", 42}, {"name", "shot-010"}};
  const std::optional<UpdateRefusal> refusal = RefusalOfQueue(queue);
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, "jobs_active");
  EXPECT_EQ(refusal->active_job["id"], 42);
  EXPECT_EQ(refusal->active_jobs, 2);
  EXPECT_NE(refusal->message.find("2 jobs are running"), std::string::npos) << refusal->message;
  EXPECT_EQ(UpdateRefusalStatus(refusal->code), 409);
}

TEST(UpdatePreconditionsTest, AnUnknownQueueFailsClosedWithTheReason) {
  const std::optional<UpdateRefusal> refusal =
      RefusalOfQueue(QueueState{.status = QueueStatus::kUnknown, .reason = "database is locked"});
  ASSERT_TRUE(refusal);
  EXPECT_EQ(refusal->code, "queue_unknown");
  EXPECT_NE(refusal->message.find("database is locked"), std::string::npos);
}

TEST(UpdatePreconditionsTest, TheCheckoutsRefusalsComeInTheDocumentedOrder) {
  GitFacts facts = CleanFacts();
  facts.dirty = true;
  facts.detached = true;
  facts.insecure_transport = true;
  facts.commits_ahead = 1;
  EXPECT_EQ(RefusalOfFacts(facts, "main", false)->code, "dirty_worktree");
  facts.dirty = false;
  EXPECT_EQ(RefusalOfFacts(facts, "main", false)->code, "detached_head");
  facts.detached = false;
  facts.branch = "feature";
  EXPECT_EQ(RefusalOfFacts(facts, "main", false)->code, "wrong_branch");
  facts.branch = "main";
  EXPECT_EQ(RefusalOfFacts(facts, "main", false)->code, "insecure_transport");
  EXPECT_EQ(RefusalOfFacts(facts, "main", true)->code, "diverged");
  facts.commits_ahead = 0;
  EXPECT_EQ(RefusalOfFacts(facts, "main", true), std::nullopt);
}

TEST(UpdatePreconditionsTest, AFailedCheckKeepsItsCode) {
  EXPECT_EQ(RefusalOfCheckError({CheckErrorKind::kFetchFailed, "timed out"}).code, "fetch_failed");
  EXPECT_EQ(UpdateRefusalStatus("fetch_failed"), 502);
  EXPECT_EQ(RefusalOfCheckError({CheckErrorKind::kRepoPermission, "x"}).code, "repo_permission");
  EXPECT_EQ(RefusalOfCheckError({CheckErrorKind::kInternal, "x"}).code, "internal_error");
  EXPECT_EQ(RefusalOfCheckError({CheckErrorKind::kFetchFailed, "timed out"}).message, "timed out");
}

TEST(UpdatePreconditionsTest, StepsRunWhenTheirGlobsMatchOrWhenTheDiffWasTooLargeToList) {
  std::vector<UpdateStep> steps(3);
  steps[0].name = "install";
  steps[0].when_changed = {"package.json", "package-lock.json"};
  steps[1].name = "migrate";
  steps[1].when_changed = {"migrations/**"};
  steps[2].name = "build";
  const std::vector<std::string> changed = {"src/app.js", "package.json"};
  const std::vector<PlannedStep> plan = PlanSteps(steps, changed, false);
  ASSERT_EQ(plan.size(), 3u);
  EXPECT_EQ(plan[0], (PlannedStep{"install", true}));
  EXPECT_EQ(plan[1], (PlannedStep{"migrate", false}));
  EXPECT_EQ(plan[2], (PlannedStep{"build", true}));
  for (const PlannedStep& step : PlanSteps(steps, changed, true)) EXPECT_TRUE(step.runs);
}

}  // namespace
}  // namespace upkeep
