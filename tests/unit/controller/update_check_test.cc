#include "controller/update_check.h"

#include <gtest/gtest.h>

#include <chrono>

namespace upkeep {
namespace {

using std::chrono::seconds;

SystemTime At(int64_t unix_seconds) { return SystemTime(seconds(unix_seconds)); }

GitFacts BehindFacts() {
  GitFacts facts;
  facts.branch = "main";
  facts.current_revision = std::string(40, 'a');
  facts.current_version = "v1.4.2";
  facts.remote = "origin";
  facts.remote_url = "https://host/x.git";
  facts.remote_branch = "main";
  facts.latest_revision = std::string(40, 'b');
  facts.latest_version = "v1.5.0";
  facts.commits_behind = 3;
  facts.changelog = {"Fix frame range parsing", "Add a queue view", "Bump deps"};
  facts.fetched = true;
  return facts;
}

UpdateCheckInput Input(GitFacts facts) {
  UpdateCheckInput input;
  input.facts = std::move(facts);
  input.queue.status = QueueStatus::kIdle;
  input.checked_at = At(1714564800);  // 2024-05-01T12:00:00Z
  input.fetched_at = At(1714564790);
  return input;
}

std::vector<std::string> BlockersOf(const UpdateCheckInput& input) {
  std::vector<std::string> names;
  for (UpdateBlocker blocker : BuildUpdateCheck(input).blockers) {
    names.emplace_back(UpdateBlockerName(blocker));
  }
  return names;
}

TEST(UpdateCheckTest, BehindAndNothingInTheWayCanUpdate) {
  const UpdateCheckAnswer answer = BuildUpdateCheck(Input(BehindFacts()));
  EXPECT_TRUE(answer.update_available);
  EXPECT_TRUE(answer.can_update);
  EXPECT_TRUE(answer.blockers.empty());
}

TEST(UpdateCheckTest, TheJsonHasExactlyTheDocumentedKeys) {
  const nlohmann::json body = UpdateCheckToJson(BuildUpdateCheck(Input(BehindFacts())));
  const nlohmann::json expected = {
      {"currentVersion", "v1.4.2"},
      {"latestVersion", "v1.5.0"},
      {"updateAvailable", true},
      {"changelog", {"Fix frame range parsing", "Add a queue view", "Bump deps"}},
      {"currentRevision", std::string(40, 'a')},
      {"latestRevision", std::string(40, 'b')},
      {"commitsBehind", 3},
      {"commitsAhead", 0},
      {"dirty", false},
      {"branch", "main"},
      {"remote", "origin"},
      {"checkedAt", "2024-05-01T12:00:00Z"},
      {"fetchedAt", "2024-05-01T11:59:50Z"},
      {"canUpdate", true},
      {"blockers", nlohmann::json::array()},
  };
  EXPECT_EQ(body, expected) << body.dump(2);
}

TEST(UpdateCheckTest, UpToDateIsNoUpdateAndCannotUpdate) {
  GitFacts facts = BehindFacts();
  facts.commits_behind = 0;
  facts.changelog.clear();
  facts.latest_revision = facts.current_revision;
  const UpdateCheckAnswer answer = BuildUpdateCheck(Input(facts));
  EXPECT_FALSE(answer.update_available);
  EXPECT_FALSE(answer.can_update);
  EXPECT_TRUE(answer.blockers.empty());
}

TEST(UpdateCheckTest, EveryBlockerInItsOrder) {
  GitFacts facts = BehindFacts();
  facts.dirty = true;
  facts.commits_ahead = 2;
  facts.detached = true;
  facts.insecure_transport = true;
  UpdateCheckInput input = Input(facts);
  input.queue.status = QueueStatus::kBusy;
  input.update_in_progress = true;
  input.recovery_pending = true;
  EXPECT_EQ(
      BlockersOf(input),
      (std::vector<std::string>{"dirty_worktree", "diverged", "detached_head", "jobs_active",
                                "update_in_progress", "recovery_pending", "insecure_transport"}));
  const UpdateCheckAnswer answer = BuildUpdateCheck(input);
  EXPECT_TRUE(answer.update_available);
  EXPECT_FALSE(answer.can_update);
  const nlohmann::json body = UpdateCheckToJson(answer);
  EXPECT_TRUE(body["branch"].is_null());
  EXPECT_TRUE(body["dirty"].get<bool>());
  EXPECT_EQ(body["commitsAhead"], 2);
}

TEST(UpdateCheckTest, AnUnknownQueueBlocks) {
  UpdateCheckInput input = Input(BehindFacts());
  input.queue.status = QueueStatus::kUnknown;
  EXPECT_EQ(BlockersOf(input), std::vector<std::string>{"queue_unknown"});
  EXPECT_FALSE(BuildUpdateCheck(input).can_update);
}

TEST(UpdateCheckTest, AnInsecureRemoteBlocksOnlyWithoutTheOptIn) {
  GitFacts facts = BehindFacts();
  facts.insecure_transport = true;
  UpdateCheckInput input = Input(facts);
  EXPECT_EQ(BlockersOf(input), std::vector<std::string>{"insecure_transport"});
  input.allow_insecure_transport = true;
  EXPECT_TRUE(BlockersOf(input).empty());
  EXPECT_TRUE(BuildUpdateCheck(input).can_update);
}

TEST(UpdateCheckTest, NeverFetchedIsNull) {
  UpdateCheckInput input = Input(BehindFacts());
  input.fetched_at.reset();
  EXPECT_TRUE(UpdateCheckToJson(BuildUpdateCheck(input))["fetchedAt"].is_null());
}

TEST(UpdateCheckTest, ErrorsCarryTheirCodeAndTheLastAnswer) {
  const UpdateCheckAnswer last = BuildUpdateCheck(Input(BehindFacts()));
  const nlohmann::json body = UpdateCheckErrorToJson(
      MakeCheckError(CheckErrorKind::kFetchFailed, "fetch from origin: timed out"), &last);
  EXPECT_EQ(body["error"]["code"], "fetch_failed");
  EXPECT_EQ(body["error"]["message"], "fetch from origin: timed out");
  EXPECT_EQ(body["last"], UpdateCheckToJson(last));
  const nlohmann::json alone =
      UpdateCheckErrorToJson(MakeCheckError(CheckErrorKind::kRepoUnavailable, "gone"));
  EXPECT_FALSE(alone.contains("last"));
}

}  // namespace
}  // namespace upkeep
