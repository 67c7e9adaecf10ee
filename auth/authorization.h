#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "auth/credential_store.h"

namespace upkeep {

// What a path needs.
enum class Access : uint8_t {
  kPublic,   // /, /-/healthy, /-/ready; /metrics while auth.metrics is open
  kMetrics,  // /metrics while auth.metrics is token: role metrics or admin
  kAdmin,    // everything under /api/: role admin
};

// Why an authenticated endpoint refused a request: the {reason} of
// upkeep_http_auth_failures_total.
enum class AuthFailure : uint8_t {
  kMissing,       // no Authorization header (401)
  kMalformed,     // not "Bearer <credential>", empty, or neither a token nor a JWT (401)
  kUnknownToken,  // an API token that is not (or no longer) in the tokens file (401)
  kInvalidJwt,    // bad signature, expired, not yet valid, wrong alg/iss/aud, ... (401)
  kForbidden,     // valid credentials without the role (403)
  kLockedOut,     // too many failures from this client (429)
};
inline constexpr size_t kAuthFailureKinds = 6;
std::string_view AuthFailureLabel(AuthFailure reason);

// The outcome of checking one Authorization header.
struct AuthDecision {
  bool allowed = false;
  int status = 401;  // 401 or 403 when refused
  AuthFailure reason = AuthFailure::kMissing;
  std::string_view message;       // for the client (a fixed text)
  std::string detail;             // for the client and the log (no part of the credential)
  std::string_view authenticate;  // the WWW-Authenticate header line, for a 401
  // Who was let in, for the update API's journal, history and log: "token:NAME" for an API
  // token (names are [A-Za-z0-9._@-], see IsValidTokenName), "jwt:SUB" for a JWT ("jwt:-" when
  // it has no "sub"). The subject is kept as the JWT says it (any bytes): pass it through
  // Printable() before it goes into a log line. Set only when a request needing Access::kAdmin
  // is allowed; "" otherwise, so that the metrics path stays free of allocations.
  std::string principal;
};

// Checks `authorization` (the header value, nullptr when absent) against `credentials` for
// `required`. Pure apart from the clock passed in. No allocation on success with an API token
// for Access::kMetrics (the scrape path); admin access allocates the principal (one string).
AuthDecision Authorize(const char* authorization, Access required, const Credentials* credentials,
                       std::chrono::system_clock::time_point now);

}  // namespace upkeep
