// The update check route's pure parts: its query and the reply to each outcome. Served over
// real HTTP by the real binary in tests/integration/update_check_test.cc.

#include "app/update_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace upkeep {
namespace {

using nlohmann::json;

std::string QueryError(std::string_view query) {
  const Result<bool> parsed = ParseUpdateCheckQuery(query);
  return parsed ? "<accepted>" : parsed.error();
}

TEST(UpdateCheckQueryTest, RefreshTrueOrFalse) {
  EXPECT_EQ(*ParseUpdateCheckQuery(""), false);
  EXPECT_EQ(*ParseUpdateCheckQuery("refresh=true"), true);
  EXPECT_EQ(*ParseUpdateCheckQuery("refresh=1"), true);
  EXPECT_EQ(*ParseUpdateCheckQuery("refresh=false"), false);
  EXPECT_EQ(*ParseUpdateCheckQuery("refresh=0"), false);
  // Empty pieces say nothing.
  EXPECT_EQ(*ParseUpdateCheckQuery("&refresh=true&"), true);
  EXPECT_EQ(*ParseUpdateCheckQuery("&"), false);
}

TEST(UpdateCheckQueryTest, AnythingElseIsAnError) {
  EXPECT_EQ(QueryError("refresh=yes"), "refresh: must be true or false (or 1 or 0), got \"yes\"");
  EXPECT_EQ(QueryError("refresh=TRUE"), "refresh: must be true or false (or 1 or 0), got \"TRUE\"");
  EXPECT_EQ(QueryError("refresh="), "refresh: must be true or false (or 1 or 0), got \"\"");
  EXPECT_EQ(QueryError("refresh"), "refresh: needs a value, true or false");
  EXPECT_EQ(QueryError("refresh=true&refresh=true"), "refresh: given more than once");
  EXPECT_EQ(QueryError("force=1"),
            "unknown query parameter \"force\"; the only parameter is refresh=true|false");
  EXPECT_EQ(QueryError("refresh=true&x"),
            "unknown query parameter \"x\"; the only parameter is refresh=true|false");
  EXPECT_EQ(QueryError("refresh%3Dtrue"),
            "unknown query parameter \"refresh%3Dtrue\"; the only parameter is "
            "refresh=true|false");
  // A long value is cut in the message.
  EXPECT_LT(QueryError("refresh=" + std::string(1000, 'x')).size(), 200u);
}

UpdateCheckAnswer Answer() {
  UpdateCheckAnswer answer;
  answer.current_version = "v1.4.2";
  answer.latest_version = "v1.5.0";
  answer.update_available = true;
  answer.changelog = {"Fix frame range parsing"};
  answer.commits_behind = 1;
  answer.branch = "main";
  answer.remote = "origin";
  answer.can_update = true;
  return answer;
}

TEST(UpdateCheckReplyTest, AnAnswerIs200) {
  UpdateCheckOutcome outcome;
  outcome.answer = Answer();
  const UpdateCheckReply reply = UpdateCheckReplyOf(outcome);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(json::parse(reply.body), UpdateCheckToJson(Answer()));
}

TEST(UpdateCheckReplyTest, AnErrorHasItsStatusAndCode) {
  UpdateCheckOutcome outcome;
  outcome.error = MakeCheckError(CheckErrorKind::kRepoUnavailable, "no repository at /srv/app");
  const UpdateCheckReply reply = UpdateCheckReplyOf(outcome);
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(json::parse(reply.body), json::parse(R"({"error":{"code":"repo_unavailable",)"
                                                 R"("message":"no repository at /srv/app"}})"));
}

TEST(UpdateCheckReplyTest, AFailedFetchShowsTheLastAnswer) {
  UpdateCheckOutcome outcome;
  outcome.error = MakeCheckError(CheckErrorKind::kFetchFailed, "fetch from origin: timed out");
  outcome.last = Answer();
  const UpdateCheckReply reply = UpdateCheckReplyOf(outcome);
  EXPECT_EQ(reply.status, 502);
  const json body = json::parse(reply.body);
  EXPECT_EQ(body["error"]["code"], "fetch_failed");
  EXPECT_EQ(body["last"], UpdateCheckToJson(Answer()));
}

TEST(UpdateCheckReplyTest, BytesThatAreNotUtf8AreReplaced) {
  UpdateCheckOutcome outcome;
  outcome.error = MakeCheckError(CheckErrorKind::kRepoUnavailable, "no repository at /srv/\xff");
  const UpdateCheckReply reply = UpdateCheckReplyOf(outcome);
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(json::parse(reply.body)["error"]["message"], "no repository at /srv/\xEF\xBF\xBD");
}

TEST(UpdateCheckReplyTest, NeitherAnswerNorErrorIsAnInternalError) {
  const UpdateCheckReply reply = UpdateCheckReplyOf(UpdateCheckOutcome{});
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(json::parse(reply.body)["error"]["code"], "internal");
}

TEST(UpdateCheckRouteTest, AdminGetRouteWithItsOwnLabel) {
  const Route route = UpdateCheckRoute(nullptr);
  EXPECT_EQ(route.path, "/api/system/update/check");
  EXPECT_EQ(route.methods, std::vector<std::string>{"GET"});
  EXPECT_EQ(route.label, "update_check");
  EXPECT_EQ(route.access, Access::kAdmin);
  EXPECT_TRUE(static_cast<bool>(route.handler));
}

}  // namespace
}  // namespace upkeep
