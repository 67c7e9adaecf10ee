#include "controller/git_move_json.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

const std::string kFrom(40, 'a');
const std::string kTo(40, 'b');

TEST(GitMoveJsonTest, AMoveRoundTrips) {
  const GitMoveOutcome outcome{kFrom, kTo, true};
  const nlohmann::json body = GitMoveOutcomeToJson(outcome);
  EXPECT_EQ(body, nlohmann::json({{"from", kFrom}, {"to", kTo}, {"moved", true}}));
  GitUpdateResult<GitMoveOutcome> parsed = ParseGitMoveAnswer(body.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, outcome);
}

TEST(GitMoveJsonTest, ChangedPathsRoundTrip) {
  const GitChangedPaths changed{{"a.txt", "migrations/002.sql"}, true};
  const nlohmann::json body = GitChangedPathsToJson(changed);
  EXPECT_EQ(body["paths"], nlohmann::json({"a.txt", "migrations/002.sql"}));
  EXPECT_EQ(body["truncated"], true);
  GitUpdateResult<GitChangedPaths> parsed = ParseGitChangedAnswer(body.dump());
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, changed);
}

TEST(GitMoveJsonTest, ErrorsRoundTripWithWhereTheTreeWasLeft) {
  for (GitTreeState state : {GitTreeState::kUnchanged, GitTreeState::kReverted,
                             GitTreeState::kRevertFailed, GitTreeState::kUnknown}) {
    const GitUpdateError error{"checkout_failed", "it failed", state};
    const nlohmann::json body = GitUpdateErrorToJson(error);
    EXPECT_EQ(body["error"]["code"], "checkout_failed");
    EXPECT_EQ(body["error"]["tree"], std::string(GitTreeStateName(state)));
    EXPECT_EQ(GitTreeStateNamed(GitTreeStateName(state)), state);
    GitUpdateResult<GitMoveOutcome> moved = ParseGitMoveAnswer(body.dump());
    ASSERT_FALSE(moved.ok());
    EXPECT_EQ(moved.error(), error);
    GitUpdateResult<GitChangedPaths> changed = ParseGitChangedAnswer(body.dump());
    ASSERT_FALSE(changed.ok());
    EXPECT_EQ(changed.error(), error);
  }
  EXPECT_EQ(GitTreeStateName(GitTreeState::kRevertFailed), "revert_failed");
  EXPECT_EQ(GitTreeStateNamed("sideways"), std::nullopt);
}

TEST(GitMoveJsonTest, AnErrorOfTheCheckShapeIsReadToo) {
  // What the helper of an older binary answers to a command it does not know.
  GitUpdateResult<GitMoveOutcome> parsed =
      ParseGitMoveAnswer(R"({"error": {"kind": "internal", "message": "usage: ..."}})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().code, "internal");
  EXPECT_EQ(parsed.error().message, "usage: ...");
  EXPECT_EQ(parsed.error().tree, GitTreeState::kUnchanged);
}

TEST(GitMoveJsonTest, WhatIsNotAnAnswerLeavesTheTreeUnknown) {
  for (const std::string& text :
       {std::string(""), std::string("{\"from\": \"a"), std::string("[1]"),
        std::string("{\"from\": \"a\", \"to\": \"b\"}"), std::string("{\"moved\": \"yes\"}"),
        std::string(R"({"error": {"code": "dirty_worktree"}})"),
        std::string(R"({"error": {"code": "x", "message": "m", "tree": "sideways"}})")}) {
    GitUpdateResult<GitMoveOutcome> parsed = ParseGitMoveAnswer(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().code, "internal") << text;
    EXPECT_EQ(parsed.error().tree, GitTreeState::kUnknown) << text;
    EXPECT_NE(parsed.error().message.find("no valid answer"), std::string::npos);
  }
  GitUpdateResult<GitChangedPaths> changed = ParseGitChangedAnswer(R"({"paths": "a.txt"})");
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().tree, GitTreeState::kUnknown);
}

}  // namespace
}  // namespace upkeep
