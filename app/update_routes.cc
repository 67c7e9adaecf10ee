#include "app/update_routes.h"

#include <nlohmann/json.hpp>
#include <utility>

#include "common/text.h"
#include "controller/check_error.h"
#include "controller/update_check.h"
#include "server/http_response.h"

namespace upkeep {
namespace {

constexpr std::string_view kQueueHelp = "the only parameter is refresh=true|false";

// A path or git's message may hold bytes that are not UTF-8: replaced, never a failed answer.
std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<bool> ParseRefresh(std::string_view value) {
  if (value == "true" || value == "1") return true;
  if (value == "false" || value == "0") return false;
  return MakeError("refresh: must be true or false (or 1 or 0), got " + Quote(value, 64));
}

UpdateCheckReply ErrorReply(const CheckError& error, const UpdateCheckAnswer* last) {
  return UpdateCheckReply{.status = CheckErrorCodeOf(error.kind).http_status,
                          .body = Dump(UpdateCheckErrorToJson(error, last))};
}

}  // namespace

Result<bool> ParseUpdateCheckQuery(std::string_view query) {
  std::optional<bool> refresh;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2", a trailing '&': nothing was said
    const size_t equals = pair.find('=');
    const std::string_view name = pair.substr(0, equals);
    if (name != "refresh") {
      return MakeError("unknown query parameter " + Quote(name, 64) + "; " +
                       std::string(kQueueHelp));
    }
    if (refresh) return MakeError("refresh: given more than once");
    if (equals == std::string_view::npos) {
      return MakeError("refresh: needs a value, true or false");
    }
    const Result<bool> value = ParseRefresh(pair.substr(equals + 1));
    if (!value) return value;
    refresh = *value;
  }
  return refresh.value_or(false);
}

UpdateCheckReply UpdateCheckReplyOf(const UpdateCheckOutcome& outcome) {
  if (outcome.error) return ErrorReply(*outcome.error, outcome.last ? &*outcome.last : nullptr);
  if (!outcome.answer) {
    // The checker always gives one or the other; a reply is still owed.
    return ErrorReply(MakeCheckError(CheckErrorKind::kInternal, "the check gave no answer"),
                      outcome.last ? &*outcome.last : nullptr);
  }
  return UpdateCheckReply{.status = 200, .body = Dump(UpdateCheckToJson(*outcome.answer))};
}

Route UpdateCheckRoute(UpdateChecker* checker) {
  Route route;
  route.path = std::string(kUpdateCheckPath);
  route.methods = {"GET"};  // and HEAD
  route.label = "update_check";
  route.access = Access::kAdmin;
  route.handler = [checker](const HttpRequest& request, HttpResponse& response) {
    const Result<bool> refresh = ParseUpdateCheckQuery(request.query());
    if (!refresh) return response.Error(400, "invalid_query", refresh.error());
    if (checker == nullptr) {
      const UpdateCheckReply reply = ErrorReply(
          MakeCheckError(CheckErrorKind::kNotConfigured,
                         "the update check is not configured: the config has no update: "
                         "section (set update.repo to the managed service's git checkout)"),
          nullptr);
      return response.Json(reply.status, reply.body);
    }
    // JSON answers carry Cache-Control: no-store: a check is about the moment it was made.
    const UpdateCheckReply reply = UpdateCheckReplyOf(checker->Check(*refresh));
    response.Json(reply.status, reply.body);
  };
  return route;
}

}  // namespace upkeep
