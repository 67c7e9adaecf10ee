#include "controller/git_facts_json.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

GitFacts SomeFacts() {
  GitFacts facts;
  facts.branch = "main";
  facts.current_revision = std::string(40, 'a');
  facts.current_version = "v1.0.0-dirty";
  facts.dirty = true;
  facts.remote = "origin";
  facts.remote_url = "https://host/x.git";
  facts.insecure_transport = false;
  facts.remote_branch = "main";
  facts.latest_revision = std::string(40, 'b');
  facts.latest_version = "v1.1.0";
  facts.commits_ahead = 1;
  facts.commits_behind = 12345678901;
  facts.changelog = {"Fix \"quotes\" and ünïcode", "... and 3 more commits"};
  facts.fetched = true;
  return facts;
}

TEST(GitFactsJsonTest, FactsRoundTrip) {
  const GitFacts facts = SomeFacts();
  CheckResult<GitFacts> parsed = ParseGitHelperAnswer(GitFactsToJson(facts).dump() + "\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(*parsed, facts);
}

TEST(GitFactsJsonTest, AnErrorAnswerKeepsItsKind) {
  const nlohmann::json answer = GitErrorAnswerToJson(
      MakeCheckError(CheckErrorKind::kRemoteUnavailable, "remote origin has no branch \"x\""));
  EXPECT_EQ(answer["error"]["kind"], "remote_unavailable");
  CheckResult<GitFacts> parsed = ParseGitHelperAnswer(answer.dump());
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, CheckErrorKind::kRemoteUnavailable);
  EXPECT_EQ(parsed.error().message, "remote origin has no branch \"x\"");
}

TEST(GitFactsJsonTest, AnUnknownKindIsInternal) {
  CheckResult<GitFacts> parsed =
      ParseGitHelperAnswer(R"({"error":{"kind":"martian","message":"m"}})");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().kind, CheckErrorKind::kInternal);
  EXPECT_EQ(parsed.error().message, "m");
}

TEST(GitFactsJsonTest, WhatIsNotAnAnswerIsAnInternalError) {
  for (const std::string& text : std::vector<std::string>{
           "", "not json", "[]", R"({"branch":"main"})", R"({"error":{"kind":1}})",
           GitFactsToJson(SomeFacts()).dump().substr(0, 50)}) {
    CheckResult<GitFacts> parsed = ParseGitHelperAnswer(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.error().kind, CheckErrorKind::kInternal) << text;
    EXPECT_NE(parsed.error().message.find("no valid answer"), std::string::npos);
  }
}

TEST(GitFactsJsonTest, WrongTypesAreRefused) {
  nlohmann::json answer = GitFactsToJson(SomeFacts());
  answer["commitsBehind"] = "three";
  EXPECT_FALSE(ParseGitHelperAnswer(answer.dump()).ok());
}

}  // namespace
}  // namespace upkeep
