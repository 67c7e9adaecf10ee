#include "app/update_execute_routes.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>
#include <vector>

#include "common/text.h"
#include "controller/update_id.h"
#include "server/http_response.h"

namespace upkeep {
namespace {

constexpr std::string_view kExecuteQueryHelp = "the only parameter is async=true|false";
constexpr std::string_view kStatusQueryHelp = "the only parameter is id=UPDATE_ID";
constexpr std::string_view kHistoryQueryHelp = "the only parameter is limit=N";
constexpr std::string_view kBodyHelp = R"(the body is empty or {"dryRun": true|false})";

// A step's name, a path or git's message may hold bytes that are not UTF-8: replaced, never a
// failed answer.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

UpdateRouteReply ErrorReply(int status, std::string_view code, std::string_view message) {
  return UpdateRouteReply{.status = status, .body = JsonErrorBody(code, message), .location = {}};
}

// One name=value piece of a query, as sent (not percent-decoded: a name or a value that needs
// decoding is not one we accept anyway).
struct QueryParameter {
  std::string_view name;
  std::optional<std::string_view> value;  // none: no '='
};

std::vector<QueryParameter> SplitQuery(std::string_view query) {
  std::vector<QueryParameter> parameters;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2", a trailing '&': nothing was said
    const size_t equals = pair.find('=');
    if (equals == std::string_view::npos) {
      parameters.push_back({pair, std::nullopt});
    } else {
      parameters.push_back({pair.substr(0, equals), pair.substr(equals + 1)});
    }
  }
  return parameters;
}

// The value of the query's only parameter `name` (none when the query says nothing), or an
// error for another parameter, a repeated one or one without a value.
Result<std::optional<std::string_view>> OnlyParameter(std::string_view query, std::string_view name,
                                                      std::string_view help) {
  std::optional<std::string_view> found;
  for (const QueryParameter& parameter : SplitQuery(query)) {
    if (parameter.name != name) {
      return MakeError("unknown query parameter " + Quote(Printable(parameter.name, 64)) + "; " +
                       std::string(help));
    }
    if (found) return MakeError(std::string(name) + ": given more than once");
    if (!parameter.value) return MakeError(std::string(name) + ": needs a value");
    found = parameter.value;
  }
  return found;
}

bool IsJsonWhitespace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// The Location header's value for a reply, for the route to send.
std::string LocationHeader(const UpdateRouteReply& reply) {
  return reply.location.empty() ? std::string() : "Location: " + reply.location + "\r\n";
}

void Send(const UpdateRouteReply& reply, HttpResponse& response) {
  response.Json(reply.status, reply.body, LocationHeader(reply));
}

}  // namespace

Result<ExecuteBody> ParseExecuteBody(std::string_view body) {
  ExecuteBody parsed;
  bool only_whitespace = true;
  for (char c : body) only_whitespace = only_whitespace && IsJsonWhitespace(c);
  if (only_whitespace) return parsed;

  // A key given twice would otherwise silently keep its last value.
  int dry_run_keys = 0;
  const nlohmann::json::parser_callback_t count_keys =
      [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed_value) {
        if (depth == 1 && event == nlohmann::json::parse_event_t::key && parsed_value == "dryRun") {
          ++dry_run_keys;
        }
        return true;
      };
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(body, count_keys);
  } catch (const nlohmann::json::parse_error& error) {
    return MakeError("the body is not valid JSON (at byte " + std::to_string(error.byte) + "); " +
                     std::string(kBodyHelp));
  }
  if (!json.is_object()) {
    return MakeError("the body is a JSON " + std::string(json.type_name()) + ", not an object; " +
                     std::string(kBodyHelp));
  }
  if (dry_run_keys > 1) return MakeError("dryRun: given more than once");
  for (const auto& [key, value] : json.items()) {
    if (key != "dryRun") {
      return MakeError("unknown key " + Quote(Printable(key, 64)) + "; " + std::string(kBodyHelp));
    }
    if (!value.is_boolean()) {
      return MakeError("dryRun: must be true or false, got a " + std::string(value.type_name()));
    }
    parsed.dry_run = value.get<bool>();
  }
  return parsed;
}

Result<bool> ParseExecuteQuery(std::string_view query) {
  const Result<std::optional<std::string_view>> async =
      OnlyParameter(query, "async", kExecuteQueryHelp);
  if (!async) return MakeError(async.error());
  if (!*async) return false;
  const std::string_view value = **async;
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return MakeError("async: must be true or false (or 1 or 0), got " + Quote(Printable(value, 64)));
}

Result<StatusQuery> ParseStatusQuery(std::string_view query) {
  const Result<std::optional<std::string_view>> id = OnlyParameter(query, "id", kStatusQueryHelp);
  if (!id) return MakeError(id.error());
  StatusQuery parsed;
  if (*id) {
    parsed.id = std::string(**id);
    parsed.id_invalid = !IsValidUpdateId(**id);
  }
  return parsed;
}

Result<size_t> ParseHistoryQuery(std::string_view query) {
  const Result<std::optional<std::string_view>> limit =
      OnlyParameter(query, "limit", kHistoryQueryHelp);
  if (!limit) return MakeError(limit.error());
  if (!*limit) return kDefaultHistoryLimit;
  const std::string_view text = **limit;
  size_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  // from_chars takes no sign and no spaces; all of the text must be the number.
  const bool number = error == std::errc() && end == text.data() + text.size();
  if (!number || value < 1 || value > kMaxHistoryLimit) {
    return MakeError("limit: must be a whole number from 1 to " + std::to_string(kMaxHistoryLimit) +
                     ", got " + Quote(Printable(text, 64)));
  }
  return value;
}

UpdateRouteReply UpdateNotConfiguredReply() {
  return ErrorReply(503, "update_not_configured",
                    "updates are not configured: the config has no update: section (set "
                    "update.repo to the managed service's git checkout)");
}

UpdateRouteReply UpdateExecuteReplyOf(const UpdateReport& report) {
  UpdateRouteReply reply{.status = UpdateReportHttpStatus(report),
                         .body = Dump(UpdateReportToJson(report)),
                         .location = {}};
  // The id goes into a header: only one of the update id's shape (no CR, LF or space).
  if (reply.status == 202 && IsValidUpdateId(report.update_id)) {
    reply.location = UpdateStatusUrl(report.update_id);
  }
  return reply;
}

UpdateRouteReply UpdateStatusReplyOf(const Result<std::optional<UpdateRunStatus>>& status,
                                     const std::optional<std::string>& id) {
  if (!status) return ErrorReply(500, "internal_error", status.error());
  if (!*status) {
    return ErrorReply(
        404, "not_found",
        id ? "no such update: " + Quote(Printable(*id, 64)) : "no update has run yet");
  }
  return UpdateRouteReply{
      .status = 200, .body = Dump(UpdateRunStatusToJson(**status)), .location = {}};
}

UpdateRouteReply UpdateHistoryReplyOf(const Result<HistoryPage>& page,
                                      const std::string& state_dir) {
  if (!page) return ErrorReply(500, "internal_error", page.error());
  nlohmann::json entries = nlohmann::json::array();
  for (const HistoryEntry& entry : page->entries) {
    entries.push_back(UpdateReportToJson(ReportOfHistory(entry, state_dir)));
  }
  const nlohmann::json body = {{"entries", std::move(entries)},
                               {"skippedLines", page->skipped_lines}};
  return UpdateRouteReply{.status = 200, .body = Dump(body), .location = {}};
}

UpdateRouteReply AnswerUpdateExecute(std::string_view query, std::string_view body, std::string who,
                                     const ExecuteUpdate& execute) {
  const Result<bool> async = ParseExecuteQuery(query);
  if (!async) return ErrorReply(400, "invalid_query", async.error());
  const Result<ExecuteBody> parsed = ParseExecuteBody(body);
  if (!parsed) return ErrorReply(400, "invalid_body", parsed.error());
  if (!execute) return UpdateNotConfiguredReply();
  return UpdateExecuteReplyOf(
      execute(ExecuteRequest{.who = std::move(who), .dry_run = parsed->dry_run, .async = *async}));
}

UpdateRouteReply AnswerUpdateStatus(std::string_view query, const ShowUpdateStatus& status) {
  const Result<StatusQuery> parsed = ParseStatusQuery(query);
  if (!parsed) return ErrorReply(400, "invalid_query", parsed.error());
  if (!status) return UpdateNotConfiguredReply();
  if (parsed->id_invalid) return UpdateStatusReplyOf(std::optional<UpdateRunStatus>(), parsed->id);
  const std::optional<std::string_view> id =
      parsed->id ? std::optional<std::string_view>(*parsed->id) : std::nullopt;
  return UpdateStatusReplyOf(status(id), parsed->id);
}

UpdateRouteReply AnswerUpdateHistory(std::string_view query, const ShowUpdateHistory& history,
                                     const std::string& state_dir) {
  const Result<size_t> limit = ParseHistoryQuery(query);
  if (!limit) return ErrorReply(400, "invalid_query", limit.error());
  if (!history) return UpdateNotConfiguredReply();
  return UpdateHistoryReplyOf(history(*limit), state_dir);
}

Route UpdateExecuteRoute(UpdateRunner* runner) {
  Route route;
  route.path = std::string(kUpdateExecutePath);
  route.methods = {"POST"};
  route.label = "update_execute";
  route.access = Access::kAdmin;
  ExecuteUpdate execute;
  if (runner != nullptr) {
    execute = [runner](const ExecuteRequest& request) { return runner->Execute(request); };
  }
  route.handler = [execute](const HttpRequest& request, HttpResponse& response) {
    // A synchronous execute holds this worker thread until the run ends; the run itself is on
    // the runner's thread, so a client that goes away does not stop it.
    Send(AnswerUpdateExecute(request.query(), request.body(), request.who(), execute), response);
  };
  return route;
}

Route UpdateStatusRoute(UpdateRunner* runner) {
  Route route;
  route.path = std::string(kUpdateStatusPath);
  route.methods = {"GET"};  // and HEAD
  route.label = "update_status";
  route.access = Access::kAdmin;
  ShowUpdateStatus status;
  if (runner != nullptr) {
    status = [runner](std::optional<std::string_view> id) { return runner->Status(id); };
  }
  route.handler = [status](const HttpRequest& request, HttpResponse& response) {
    Send(AnswerUpdateStatus(request.query(), status), response);
  };
  return route;
}

Route UpdateHistoryRoute(UpdateRunner* runner, std::string state_dir) {
  Route route;
  route.path = std::string(kUpdateHistoryPath);
  route.methods = {"GET"};  // and HEAD
  route.label = "update_history";
  route.access = Access::kAdmin;
  ShowUpdateHistory history;
  if (runner != nullptr) {
    history = [runner](size_t limit) { return runner->History(limit); };
  }
  route.handler = [history, state_dir = std::move(state_dir)](const HttpRequest& request,
                                                              HttpResponse& response) {
    Send(AnswerUpdateHistory(request.query(), history, state_dir), response);
  };
  return route;
}

}  // namespace upkeep
