#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "controller/update_history.h"
#include "controller/update_report.h"
#include "controller/update_runner.h"
#include "server/router.h"

namespace upkeep {

// The update execution API: run an update, watch it, list past runs. Each route is a thin
// adapter: the parsing and the replies are pure (tested without a runner), and the Answer*
// functions take the runner's method as a plain function, empty when there is no runner.

inline constexpr std::string_view kUpdateExecutePath = "/api/system/update/execute";
inline constexpr std::string_view kUpdateHistoryPath = "/api/system/update/history";
// The status route's path is kUpdateStatusPath (controller/update_report.h): the accepted
// answer's statusUrl points at it.

inline constexpr size_t kDefaultHistoryLimit = 20;
inline constexpr size_t kMaxHistoryLimit = 500;

// The body of POST .../execute.
struct ExecuteBody {
  bool dry_run = false;
};

// Nothing (or only whitespace) is the defaults; else a JSON object whose only key is "dryRun",
// a boolean, at most once. Anything else (not JSON, not an object, an unknown key, another
// type) is an error naming it, which the route answers with 400 invalid_body.
Result<ExecuteBody> ParseExecuteBody(std::string_view body);

// The query of POST .../execute: nothing, or async=true|false (also 1|0), once; the value is
// async. Anything else is an error for 400 invalid_query.
Result<bool> ParseExecuteQuery(std::string_view query);

// The query of GET .../status: nothing (the run under way, else the last one), or id=ID once.
struct StatusQuery {
  std::optional<std::string> id;
  // The id is not of an update id's shape (IsValidUpdateId): there is no such run, and it is
  // answered 404 without asking the runner (so it never comes near a file name).
  bool id_invalid = false;
};
Result<StatusQuery> ParseStatusQuery(std::string_view query);

// The query of GET .../history: nothing (kDefaultHistoryLimit), or limit=N once, N from 1 to
// kMaxHistoryLimit in decimal digits.
Result<size_t> ParseHistoryQuery(std::string_view query);

// What a route answers: a status and its JSON body, and for an accepted run the Location of
// its status.
struct UpdateRouteReply {
  int status = 200;
  std::string body;
  std::string location;  // "" for none

  bool operator==(const UpdateRouteReply&) const = default;
};

// 503 update_not_configured: the routes are there without an update: section, so that a
// client can tell "not set up" from "no such API".
UpdateRouteReply UpdateNotConfiguredReply();

// The execute answer: UpdateReportHttpStatus and UpdateReportToJson; an accepted run (202)
// with the Location of its status.
UpdateRouteReply UpdateExecuteReplyOf(const UpdateReport& report);

// The status answer: 200 and UpdateRunStatusToJson; none (no such run, or no run yet) is 404
// not_found (`id` names the run asked for, if one was); an error 500 internal_error.
UpdateRouteReply UpdateStatusReplyOf(const Result<std::optional<UpdateRunStatus>>& status,
                                     const std::optional<std::string>& id);

// The history answer: {"entries": [the report JSON of each, newest first], "skippedLines": N};
// the run logs are under `state_dir`. An error is 500 internal_error.
UpdateRouteReply UpdateHistoryReplyOf(const Result<HistoryPage>& page,
                                      const std::string& state_dir);

// The handlers without HTTP: the request's query (and body, and who sent it) in, the reply
// out. The function is the runner's method, empty when there is no runner (503). Checked in
// this order: the query (400 invalid_query), the body (400 invalid_body), the runner (503),
// a malformed id (404), then the runner is asked.
using ExecuteUpdate = std::function<UpdateReport(const ExecuteRequest&)>;
using ShowUpdateStatus =
    std::function<Result<std::optional<UpdateRunStatus>>(std::optional<std::string_view>)>;
using ShowUpdateHistory = std::function<Result<HistoryPage>(size_t)>;

UpdateRouteReply AnswerUpdateExecute(std::string_view query, std::string_view body, std::string who,
                                     const ExecuteUpdate& execute);
UpdateRouteReply AnswerUpdateStatus(std::string_view query, const ShowUpdateStatus& status);
UpdateRouteReply AnswerUpdateHistory(std::string_view query, const ShowUpdateHistory& history,
                                     const std::string& state_dir);

// POST /api/system/update/execute ("update_execute"), GET (and HEAD) .../status
// ("update_status") and .../history ("update_history"), for admins. `runner` must outlive the
// server; null (no update: section) answers 503 update_not_configured. History reports name
// each run's log under `state_dir` (update.state_dir).
Route UpdateExecuteRoute(UpdateRunner* runner);
Route UpdateStatusRoute(UpdateRunner* runner);
Route UpdateHistoryRoute(UpdateRunner* runner, std::string state_dir);

}  // namespace upkeep
