#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "common/result.h"

namespace upkeep {

// Why an update check could not answer. Each kind is one JSON error code with its own HTTP
// status (see CheckErrorCodeOf), so a client can tell "fix the config" from "try later".
enum class CheckErrorKind {
  kNotConfigured,      // no update section
  kRepoUnavailable,    // the path is missing or not a git repository
  kRepoPermission,     // the path or .git cannot be read or written by the user git runs as
  kRemoteUnavailable,  // the remote or its branch does not exist
  kFetchFailed,        // the fetch failed or timed out
  kInsecureTransport,  // git:// or http:// without allow_insecure_transport, and nothing fetched
  kUpdateInProgress,   // an update holds the lock and no earlier check can answer for it
  kInternal,           // anything else (libgit2 failed on a readable repository, bad helper output)
};

struct CheckErrorCode {
  std::string_view code;  // the JSON error code: "repo_unavailable"
  int http_status;        // what server/ answers with
};

// The code and HTTP status of a kind; the table the router maps errors with.
CheckErrorCode CheckErrorCodeOf(CheckErrorKind kind);
// The kind of a code ("fetch_failed"), for reading the helper's answer back.
std::optional<CheckErrorKind> CheckErrorKindNamed(std::string_view code);

struct CheckError {
  CheckErrorKind kind = CheckErrorKind::kInternal;
  std::string message;
};

// A value or a CheckError: a Result with the kind the caller maps to a JSON error code.
template <typename T>
using CheckResult = Result<T, CheckError>;

inline CheckError MakeCheckError(CheckErrorKind kind, std::string message) {
  return CheckError{kind, std::move(message)};
}

}  // namespace upkeep
