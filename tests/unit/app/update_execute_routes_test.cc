// The update execution API's pure parts: its queries and body, the reply to each outcome, and
// the order in which a request is checked (with the runner's methods as plain functions).

#include "app/update_execute_routes.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace upkeep {
namespace {

using nlohmann::json;

constexpr std::string_view kId = "20261130T031500Z-1a2b3c4d";

template <typename T>
std::string ErrorOf(const Result<T>& result) {
  return result ? "<accepted>" : result.error();
}

TEST(ExecuteBodyTest, NothingIsTheDefaults) {
  for (std::string_view body : {"", " ", "\r\n", " \t\n "}) {
    const Result<ExecuteBody> parsed = ParseExecuteBody(body);
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_FALSE(parsed->dry_run);
  }
  EXPECT_FALSE(ParseExecuteBody("{}")->dry_run);
  EXPECT_FALSE(ParseExecuteBody(" { } \n")->dry_run);
}

TEST(ExecuteBodyTest, DryRun) {
  EXPECT_TRUE(ParseExecuteBody(R"({"dryRun": true})")->dry_run);
  EXPECT_TRUE(ParseExecuteBody("{\"dryRun\":true}\r\n")->dry_run);
  EXPECT_FALSE(ParseExecuteBody(R"({"dryRun": false})")->dry_run);
}

TEST(ExecuteBodyTest, AnythingElseIsAnError) {
  constexpr std::string_view kHelp = R"(the body is empty or {"dryRun": true|false})";
  EXPECT_EQ(ErrorOf(ParseExecuteBody("dryRun=true")),
            "the body is not valid JSON (at byte 1); " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody("{} x")),
            "the body is not valid JSON (at byte 4); " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dryRun": tru)")).substr(0, 26),
            "the body is not valid JSON");
  EXPECT_EQ(ErrorOf(ParseExecuteBody("[true]")),
            "the body is a JSON array, not an object; " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody("null")),
            "the body is a JSON null, not an object; " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody("true")),
            "the body is a JSON boolean, not an object; " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dry_run": true})")),
            "unknown key \"dry_run\"; " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dryRun": true, "force": true})")),
            "unknown key \"force\"; " + std::string(kHelp));
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dryRun": "true"})")),
            "dryRun: must be true or false, got a string");
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dryRun": 1})")),
            "dryRun: must be true or false, got a number");
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dryRun": null})")),
            "dryRun: must be true or false, got a null");
  // The last of two would silently win: refused.
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"dryRun": true, "dryRun": false})")),
            "dryRun: given more than once");
  // A nested dryRun is not the key: the outer key is unknown.
  EXPECT_EQ(ErrorOf(ParseExecuteBody(R"({"options": {"dryRun": true}})")),
            "unknown key \"options\"; " + std::string(kHelp));
  // A key that is not printable is named without its bytes.
  EXPECT_EQ(ErrorOf(ParseExecuteBody("{\"a\\nb\": true}")),
            "unknown key \"a?b\"; " + std::string(kHelp));
  // Not UTF-8: not JSON.
  EXPECT_EQ(ErrorOf(ParseExecuteBody("{\"dryRun\xff\": true}")).substr(0, 26),
            "the body is not valid JSON");
}

TEST(ExecuteQueryTest, AsyncTrueOrFalse) {
  EXPECT_EQ(*ParseExecuteQuery(""), false);
  EXPECT_EQ(*ParseExecuteQuery("async=true"), true);
  EXPECT_EQ(*ParseExecuteQuery("async=1"), true);
  EXPECT_EQ(*ParseExecuteQuery("async=false"), false);
  EXPECT_EQ(*ParseExecuteQuery("async=0"), false);
  EXPECT_EQ(*ParseExecuteQuery("&async=true&"), true);
}

TEST(ExecuteQueryTest, AnythingElseIsAnError) {
  EXPECT_EQ(ErrorOf(ParseExecuteQuery("async=yes")),
            "async: must be true or false (or 1 or 0), got \"yes\"");
  EXPECT_EQ(ErrorOf(ParseExecuteQuery("async=")),
            "async: must be true or false (or 1 or 0), got \"\"");
  EXPECT_EQ(ErrorOf(ParseExecuteQuery("async")), "async: needs a value");
  EXPECT_EQ(ErrorOf(ParseExecuteQuery("async=1&async=1")), "async: given more than once");
  EXPECT_EQ(ErrorOf(ParseExecuteQuery("dryRun=true")),
            "unknown query parameter \"dryRun\"; the only parameter is async=true|false");
  EXPECT_EQ(ErrorOf(ParseExecuteQuery("async=%0A")),
            "async: must be true or false (or 1 or 0), got \"%0A\"");
  EXPECT_LT(ErrorOf(ParseExecuteQuery("async=" + std::string(1000, 'x'))).size(), 200u);
}

TEST(StatusQueryTest, NothingOrAnId) {
  const Result<StatusQuery> none = ParseStatusQuery("");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->id, std::nullopt);
  EXPECT_FALSE(none->id_invalid);

  const Result<StatusQuery> id = ParseStatusQuery("id=" + std::string(kId));
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->id, std::string(kId));
  EXPECT_FALSE(id->id_invalid);
}

TEST(StatusQueryTest, AMalformedIdIsNoSuchRun) {
  for (std::string_view value : {"../history.jsonl", "%2e%2e", "", "20261130T031500Z-1A2B3C4D",
                                 "20261130T031500Z-1a2b3c4d%0A", "20261130T031500Z-1a2b3c4d0"}) {
    const Result<StatusQuery> parsed = ParseStatusQuery("id=" + std::string(value));
    ASSERT_TRUE(parsed.ok()) << value;
    EXPECT_TRUE(parsed->id_invalid) << value;
    EXPECT_EQ(parsed->id, std::string(value));
  }
}

TEST(StatusQueryTest, AnythingElseIsAnError) {
  EXPECT_EQ(ErrorOf(ParseStatusQuery("id")), "id: needs a value");
  EXPECT_EQ(ErrorOf(ParseStatusQuery("id=a&id=b")), "id: given more than once");
  EXPECT_EQ(ErrorOf(ParseStatusQuery("run=1")),
            "unknown query parameter \"run\"; the only parameter is id=UPDATE_ID");
}

TEST(HistoryQueryTest, ALimitFrom1To500) {
  EXPECT_EQ(*ParseHistoryQuery(""), kDefaultHistoryLimit);
  EXPECT_EQ(kDefaultHistoryLimit, 20u);
  EXPECT_EQ(*ParseHistoryQuery("limit=1"), 1u);
  EXPECT_EQ(*ParseHistoryQuery("limit=500"), 500u);
  EXPECT_EQ(*ParseHistoryQuery("limit=007"), 7u);
}

TEST(HistoryQueryTest, AnythingElseIsAnError) {
  for (std::string_view value :
       {"0", "501", "-1", "+5", " 5", "5x", "", "1e2", "99999999999999999999999999"}) {
    EXPECT_EQ(ErrorOf(ParseHistoryQuery("limit=" + std::string(value))),
              "limit: must be a whole number from 1 to 500, got \"" + std::string(value) + "\"")
        << value;
  }
  EXPECT_EQ(ErrorOf(ParseHistoryQuery("limit")), "limit: needs a value");
  EXPECT_EQ(ErrorOf(ParseHistoryQuery("limit=1&limit=2")), "limit: given more than once");
  EXPECT_EQ(ErrorOf(ParseHistoryQuery("offset=5")),
            "unknown query parameter \"offset\"; the only parameter is limit=N");
}

UpdateReport Success() {
  UpdateReport report;
  report.result = UpdateResult::kSuccess;
  report.message = "updated from v1.0.0 to v1.1.0";
  report.update_id = std::string(kId);
  report.who = "token:ci from 127.0.0.1";
  report.from_version = "v1.0.0";
  report.to_version = "v1.1.0";
  return report;
}

UpdateReport Refused(std::string_view code, std::string message) {
  UpdateReport report;
  report.result = UpdateResult::kRefused;
  report.message = message;
  report.refusal.emplace();
  report.refusal->code = std::string(code);
  report.refusal->message = std::move(message);
  return report;
}

TEST(UpdateExecuteReplyTest, AFinishedRunIs200) {
  const UpdateRouteReply reply = UpdateExecuteReplyOf(Success());
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(json::parse(reply.body), UpdateReportToJson(Success()));
  EXPECT_EQ(reply.location, "");

  UpdateReport rolled = Success();
  rolled.result = UpdateResult::kRolledBack;
  EXPECT_EQ(UpdateExecuteReplyOf(rolled).status, 200);
  EXPECT_EQ(json::parse(UpdateExecuteReplyOf(rolled).body)["success"], false);
}

TEST(UpdateExecuteReplyTest, AnAcceptedRunIs202WithItsStatusLocation) {
  UpdateReport report;
  report.accepted = true;
  report.update_id = std::string(kId);
  const UpdateRouteReply reply = UpdateExecuteReplyOf(report);
  EXPECT_EQ(reply.status, 202);
  EXPECT_EQ(reply.location, "/api/system/update/status?id=20261130T031500Z-1a2b3c4d");
  EXPECT_EQ(json::parse(reply.body)["statusUrl"], reply.location);

  // Only an id of the right shape goes into a header.
  report.update_id = "x\r\nSet-Cookie: a=b";
  EXPECT_EQ(UpdateExecuteReplyOf(report).location, "");
}

TEST(UpdateExecuteReplyTest, ARefusalHasItsStatusAndCode) {
  const UpdateRouteReply reply =
      UpdateExecuteReplyOf(Refused(refusal_code::kJobsActive, "1 job is running"));
  EXPECT_EQ(reply.status, 409);
  const json body = json::parse(reply.body);
  EXPECT_EQ(body["success"], false);
  EXPECT_EQ(body["message"], "1 job is running");
  EXPECT_EQ(body["error"], json::parse(R"({"code":"jobs_active","message":"1 job is running"})"));
  EXPECT_EQ(UpdateExecuteReplyOf(Refused(refusal_code::kFetchFailed, "timeout")).status, 502);
}

TEST(UpdateExecuteReplyTest, BytesThatAreNotUtf8AreReplaced) {
  UpdateReport report = Success();
  report.message = "bad \xff byte";
  const UpdateRouteReply reply = UpdateExecuteReplyOf(report);
  EXPECT_EQ(json::parse(reply.body)["message"], "bad \xEF\xBF\xBD byte");
}

TEST(UpdateStatusReplyTest, EachOutcome) {
  UpdateRunStatus status;
  status.phase = "finished";
  status.report = Success();
  const UpdateRouteReply found = UpdateStatusReplyOf(std::optional(status), std::nullopt);
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(json::parse(found.body), UpdateRunStatusToJson(status));

  const UpdateRouteReply none = UpdateStatusReplyOf(std::optional<UpdateRunStatus>(), std::nullopt);
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(json::parse(none.body),
            json::parse(R"({"error":{"code":"not_found","message":"no update has run yet"}})"));

  const UpdateRouteReply unknown =
      UpdateStatusReplyOf(std::optional<UpdateRunStatus>(), std::string(kId));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(json::parse(unknown.body)["error"]["message"],
            "no such update: \"20261130T031500Z-1a2b3c4d\"");

  const UpdateRouteReply failed = UpdateStatusReplyOf(
      Result<std::optional<UpdateRunStatus>>(MakeError("/s/history.jsonl: read: EIO")),
      std::nullopt);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(json::parse(failed.body), json::parse(R"({"error":{"code":"internal_error",)"
                                                  R"("message":"/s/history.jsonl: read: EIO"}})"));
}

HistoryEntry Entry(std::string id, UpdateResult result) {
  HistoryEntry entry;
  entry.id = std::move(id);
  entry.who = "token:ci from 127.0.0.1";
  entry.from_version = "v1.0.0";
  entry.to_version = "v1.1.0";
  entry.result = result;
  return entry;
}

TEST(UpdateHistoryReplyTest, TheReportOfEachEntry) {
  HistoryPage page;
  page.entries = {Entry("20261130T041500Z-00000002", UpdateResult::kRolledBack),
                  Entry(std::string(kId), UpdateResult::kSuccess)};
  page.skipped_lines = 3;
  const UpdateRouteReply reply = UpdateHistoryReplyOf(page, "/var/lib/upkeep");
  EXPECT_EQ(reply.status, 200);
  const json body = json::parse(reply.body);
  ASSERT_EQ(body["entries"].size(), 2u);
  EXPECT_EQ(body["entries"][0],
            UpdateReportToJson(ReportOfHistory(page.entries[0], "/var/lib/upkeep")));
  EXPECT_EQ(body["entries"][0]["result"], "rolled_back");
  EXPECT_EQ(body["entries"][1]["logPath"], "/var/lib/upkeep/updates/20261130T031500Z-1a2b3c4d.log");
  EXPECT_EQ(body["skippedLines"], 3);

  const json empty = json::parse(UpdateHistoryReplyOf(HistoryPage{}, "/s").body);
  EXPECT_EQ(empty, json::parse(R"({"entries": [], "skippedLines": 0})"));
}

TEST(UpdateHistoryReplyTest, AnErrorIs500) {
  const UpdateRouteReply reply =
      UpdateHistoryReplyOf(Result<HistoryPage>(MakeError("/s/history.jsonl: open: EACCES")), "/s");
  EXPECT_EQ(reply.status, 500);
  EXPECT_EQ(json::parse(reply.body)["error"]["code"], "internal_error");
}

std::string CodeOf(const UpdateRouteReply& reply) {
  return json::parse(reply.body)["error"]["code"].get<std::string>();
}

TEST(AnswerUpdateExecuteTest, TheRequestReachesTheRunner) {
  std::vector<ExecuteRequest> asked;
  const ExecuteUpdate execute = [&](const ExecuteRequest& request) {
    asked.push_back(request);
    return Success();
  };
  EXPECT_EQ(AnswerUpdateExecute("", "", "token:ci from 127.0.0.1", execute).status, 200);
  EXPECT_EQ(
      AnswerUpdateExecute("async=true", R"({"dryRun": true})", "jwt:bob from ::1", execute).status,
      200);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0].who, "token:ci from 127.0.0.1");
  EXPECT_FALSE(asked[0].dry_run);
  EXPECT_FALSE(asked[0].async);
  EXPECT_EQ(asked[1].who, "jwt:bob from ::1");
  EXPECT_TRUE(asked[1].dry_run);
  EXPECT_TRUE(asked[1].async);
}

TEST(AnswerUpdateExecuteTest, ABadRequestNeverReachesTheRunner) {
  int calls = 0;
  const ExecuteUpdate execute = [&](const ExecuteRequest&) {
    ++calls;
    return Success();
  };
  UpdateRouteReply reply = AnswerUpdateExecute("async=maybe", "{}", "w", execute);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(CodeOf(reply), "invalid_query");
  reply = AnswerUpdateExecute("", R"({"dryRun": "yes"})", "w", execute);
  EXPECT_EQ(reply.status, 400);
  EXPECT_EQ(CodeOf(reply), "invalid_body");
  // The query is checked first.
  EXPECT_EQ(CodeOf(AnswerUpdateExecute("x=1", "not json", "w", execute)), "invalid_query");
  EXPECT_EQ(calls, 0);
}

TEST(AnswerUpdateExecuteTest, WithoutARunnerIs503AfterTheRequestIsChecked) {
  const UpdateRouteReply reply = AnswerUpdateExecute("", "", "w", ExecuteUpdate());
  EXPECT_EQ(reply, UpdateNotConfiguredReply());
  EXPECT_EQ(reply.status, 503);
  EXPECT_EQ(CodeOf(reply), "update_not_configured");
  EXPECT_EQ(AnswerUpdateExecute("async=2", "", "w", ExecuteUpdate()).status, 400);
}

TEST(AnswerUpdateStatusTest, TheIdReachesTheRunnerOnlyWhenWellFormed) {
  std::vector<std::optional<std::string>> asked;
  const ShowUpdateStatus show =
      [&](std::optional<std::string_view> id) -> Result<std::optional<UpdateRunStatus>> {
    asked.push_back(id ? std::optional<std::string>(*id) : std::nullopt);
    if (id) return std::optional<UpdateRunStatus>();  // no such run
    UpdateRunStatus status;
    status.running = true;
    status.phase = "steps";
    return std::optional(status);
  };
  const UpdateRouteReply current = AnswerUpdateStatus("", show);
  EXPECT_EQ(current.status, 200);
  EXPECT_EQ(json::parse(current.body)["running"], true);

  EXPECT_EQ(AnswerUpdateStatus("id=" + std::string(kId), show).status, 404);

  const UpdateRouteReply malformed = AnswerUpdateStatus("id=../../etc/passwd", show);
  EXPECT_EQ(malformed.status, 404);
  EXPECT_EQ(json::parse(malformed.body),
            json::parse(R"({"error":{"code":"not_found",)"
                        R"("message":"no such update: \"../../etc/passwd\""}})"));

  EXPECT_EQ(AnswerUpdateStatus("job=1", show).status, 400);
  ASSERT_EQ(asked.size(), 2u);
  EXPECT_EQ(asked[0], std::nullopt);
  EXPECT_EQ(asked[1], std::string(kId));

  EXPECT_EQ(AnswerUpdateStatus("", ShowUpdateStatus()).status, 503);
  EXPECT_EQ(AnswerUpdateStatus("id=bad", ShowUpdateStatus()).status, 503);
  EXPECT_EQ(AnswerUpdateStatus("job=1", ShowUpdateStatus()).status, 400);
}

TEST(AnswerUpdateHistoryTest, TheLimitReachesTheRunner) {
  std::vector<size_t> asked;
  const ShowUpdateHistory history = [&](size_t limit) -> Result<HistoryPage> {
    asked.push_back(limit);
    return HistoryPage{};
  };
  EXPECT_EQ(AnswerUpdateHistory("", history, "/s").status, 200);
  EXPECT_EQ(AnswerUpdateHistory("limit=5", history, "/s").status, 200);
  EXPECT_EQ(CodeOf(AnswerUpdateHistory("limit=0", history, "/s")), "invalid_query");
  EXPECT_EQ(asked, (std::vector<size_t>{20, 5}));
  EXPECT_EQ(AnswerUpdateHistory("", ShowUpdateHistory(), "/s").status, 503);
}

TEST(UpdateExecuteRoutesTest, PathsMethodsLabelsAndAccess) {
  const Route execute = UpdateExecuteRoute(nullptr);
  EXPECT_EQ(execute.path, "/api/system/update/execute");
  EXPECT_EQ(execute.methods, std::vector<std::string>{"POST"});
  EXPECT_EQ(execute.label, "update_execute");
  EXPECT_EQ(execute.access, Access::kAdmin);
  EXPECT_TRUE(execute.handler);

  const Route status = UpdateStatusRoute(nullptr);
  EXPECT_EQ(status.path, "/api/system/update/status");
  EXPECT_EQ(status.methods, std::vector<std::string>{"GET"});
  EXPECT_EQ(status.label, "update_status");
  EXPECT_EQ(status.access, Access::kAdmin);

  const Route history = UpdateHistoryRoute(nullptr, "/s");
  EXPECT_EQ(history.path, "/api/system/update/history");
  EXPECT_EQ(history.methods, std::vector<std::string>{"GET"});
  EXPECT_EQ(history.label, "update_history");
  EXPECT_EQ(history.access, Access::kAdmin);

  // All three fit in one router.
  Router router;
  EXPECT_TRUE(router.Add(execute).ok());
  EXPECT_TRUE(router.Add(status).ok());
  EXPECT_TRUE(router.Add(history).ok());
}

}  // namespace
}  // namespace upkeep
