#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "controller/update_checker.h"
#include "server/router.h"

namespace upkeep {

inline constexpr std::string_view kUpdateCheckPath = "/api/system/update/check";

// What GET /api/system/update/check answers: a status and its JSON body.
struct UpdateCheckReply {
  int status = 200;
  std::string body;
};

// The query of the check: nothing, or refresh=true|false (also 1|0), once. Anything else (an
// unknown parameter, another value, a parameter given twice) is an error naming it, which the
// route answers with 400.
Result<bool> ParseUpdateCheckQuery(std::string_view query);

// The reply to a check's outcome: 200 and the answer, or the error's status and code
// (CheckErrorCodeOf) with the last good answer under "last" when there is one.
UpdateCheckReply UpdateCheckReplyOf(const UpdateCheckOutcome& outcome);

// GET (and HEAD) /api/system/update/check for admins, labelled "update_check", answered by
// `checker`, which must outlive the server. Without a checker (no update: section) the route
// is still there and answers 503 update_not_configured, so a client can tell "not set up"
// from "no such API".
Route UpdateCheckRoute(UpdateChecker* checker);

}  // namespace upkeep
