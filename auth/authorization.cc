#include "auth/authorization.h"

#include <string>
#include <utility>

#include "auth/api_token.h"
#include "common/text.h"

namespace upkeep {
namespace {

constexpr std::string_view kChallenge = "WWW-Authenticate: Bearer realm=\"upkeep\"\r\n";
constexpr std::string_view kInvalidRequest =
    "WWW-Authenticate: Bearer realm=\"upkeep\", error=\"invalid_request\"\r\n";
constexpr std::string_view kInvalidToken =
    "WWW-Authenticate: Bearer realm=\"upkeep\", error=\"invalid_token\"\r\n";

bool IsBlank(char ch) { return ch == ' ' || ch == '\t'; }

// ASCII only: the scheme name is ASCII, and a locale must not change what matches.
bool EqualsIgnoringCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch =
        text[i] >= 'A' && text[i] <= 'Z' ? static_cast<char>(text[i] - 'A' + 'a') : text[i];
    if (ch != lower[i]) return false;
  }
  return true;
}

AuthDecision Refuse(int status, AuthFailure reason, std::string_view message,
                    std::string_view authenticate, std::string detail = {}) {
  AuthDecision decision;
  decision.status = status;
  decision.reason = reason;
  decision.message = message;
  decision.authenticate = authenticate;
  decision.detail = std::move(detail);
  return decision;
}

AuthDecision CheckRole(RoleSet roles, Access required) {
  const Role role = required == Access::kAdmin ? Role::kAdmin : Role::kMetrics;
  if (roles.Satisfies(role)) {
    AuthDecision decision;
    decision.allowed = true;
    decision.status = 200;
    return decision;
  }
  return Refuse(403, AuthFailure::kForbidden,
                required == Access::kAdmin ? "this endpoint needs the admin role"
                                           : "this endpoint needs the metrics or admin role",
                {});
}

// "token:NAME" or "jwt:SUB", built with one allocation.
std::string Principal(std::string_view kind, std::string_view name) {
  std::string principal;
  principal.reserve(kind.size() + name.size());
  principal.append(kind).append(name);
  return principal;
}

}  // namespace

std::string_view AuthFailureLabel(AuthFailure reason) {
  switch (reason) {
    case AuthFailure::kMissing:
      return "missing";
    case AuthFailure::kMalformed:
      return "malformed";
    case AuthFailure::kUnknownToken:
      return "unknown_token";
    case AuthFailure::kInvalidJwt:
      return "invalid_jwt";
    case AuthFailure::kForbidden:
      return "forbidden";
    case AuthFailure::kLockedOut:
      return "locked_out";
  }
  return "unknown";
}

AuthDecision Authorize(const char* authorization, Access required, const Credentials* credentials,
                       std::chrono::system_clock::time_point now) {
  if (required == Access::kPublic) {
    AuthDecision decision;
    decision.allowed = true;
    decision.status = 200;
    return decision;
  }
  if (authorization == nullptr) {
    return Refuse(401, AuthFailure::kMissing,
                  "authentication required: send Authorization: Bearer <token>", kChallenge);
  }
  std::string_view header = authorization;
  constexpr std::string_view kScheme = "bearer";
  const bool bearer = header.size() > kScheme.size() && IsBlank(header[kScheme.size()]) &&
                      EqualsIgnoringCase(header.substr(0, kScheme.size()), kScheme);
  if (!bearer) {
    return Refuse(401, AuthFailure::kMalformed,
                  "expected Authorization: Bearer <token> (an API token or a JWT)",
                  kInvalidRequest);
  }
  std::string_view credential = header.substr(kScheme.size());
  while (!credential.empty() && IsBlank(credential.front())) credential.remove_prefix(1);
  while (!credential.empty() && IsBlank(credential.back())) credential.remove_suffix(1);
  if (credential.empty()) {
    return Refuse(401, AuthFailure::kMalformed, "the bearer credential is empty", kInvalidRequest);
  }
  if (credentials == nullptr) {
    return Refuse(401, AuthFailure::kUnknownToken, "invalid credentials", kInvalidToken);
  }
  if (credential.starts_with(kApiTokenPrefix) || !IsJwtShaped(credential)) {
    const TokenRecord* record = credentials->tokens.Find(credential);
    if (record == nullptr) {
      return Refuse(401, AuthFailure::kUnknownToken,
                    "invalid credentials: unknown or revoked token", kInvalidToken);
    }
    AuthDecision decision = CheckRole(RoleSet(record->role), required);
    if (decision.allowed && required == Access::kAdmin) {
      decision.principal = Principal("token:", record->name);
    }
    return decision;
  }
  Result<JwtClaims> claims = VerifyJwt(credential, credentials->jwt, now);
  if (!claims) {
    return Refuse(401, AuthFailure::kInvalidJwt, "invalid credentials", kInvalidToken,
                  claims.error());
  }
  AuthDecision decision = CheckRole(claims->roles, required);
  if (decision.allowed && required == Access::kAdmin) {
    decision.principal = Principal("jwt:", claims->subject.empty() ? "-" : claims->subject);
  }
  if (!decision.allowed && !claims->subject.empty()) {
    decision.detail = "JWT subject \"" + Printable(claims->subject) + "\"";
  }
  return decision;
}

}  // namespace upkeep
