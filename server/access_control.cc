#include "server/access_control.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <string>
#include <utility>

#include "auth/api_token.h"
#include "common/text.h"
#include "server/http_response.h"
#include "server/openapi_document.h"

namespace upkeep {

AccessControl::AccessControl(AccessControlOptions options)
    : options_(std::move(options)),
      lockout_(options_.max_failures, options_.lockout_window),
      store_([this] {
        CredentialStoreOptions credentials = options_.credentials;
        credentials.on_poll = [this] { lockout_.Sweep(FailureLockout::Clock::now()); };
        return credentials;
      }()) {}

AccessControl::~AccessControl() { Stop(); }

void AccessControl::Start() {
  store_.Load();
  store_.StartWatching();
}

void AccessControl::Stop() { store_.Stop(); }

bool AccessControl::NoCredentialSources() const {
  return options_.credentials.tokens_file.empty() && options_.credentials.jwt_secret_file.empty();
}

Access AccessControl::Required(std::string_view path, bool telemetry) const {
  // The API's own description is the one exception under /api/: a client reads it before it
  // has a credential, and it says nothing the repository does not.
  if (path == kOpenApiPath) return Access::kPublic;
  if (path == "/api" || path.starts_with("/api/")) return Access::kAdmin;
  if (telemetry && options_.metrics_need_token) return Access::kMetrics;
  return Access::kPublic;
}

IpAddress AccessControl::ClientOf(const mg_connection* conn) const {
  const mg_request_info* info = mg_get_request_info(conn);
  const IpAddress peer = IpAddress::Parse(info->remote_addr).value_or(IpAddress());
  if (options_.trusted_proxies.empty()) return peer;
  // Every X-Forwarded-For header, in order, as one list.
  std::string forwarded;
  for (int i = 0; i < info->num_headers; ++i) {
    if (mg_strcasecmp(info->http_headers[i].name, "X-Forwarded-For") != 0) continue;
    if (!forwarded.empty()) forwarded.push_back(',');
    forwarded += info->http_headers[i].value;
  }
  return ResolveClientAddress(peer, forwarded, options_.trusted_proxies);
}

bool AccessControl::Admit(mg_connection* conn, Access required, std::string* principal) {
  if (principal != nullptr) principal->clear();
  if (required == Access::kPublic) return true;
  std::optional<IpAddress> client;
  if (lockout_.AnyLocked()) {
    client = ClientOf(conn);
    if (const auto left = lockout_.LockedFor(client->LockoutKey(), FailureLockout::Clock::now())) {
      metrics_.CountAuthFailure(AuthFailure::kLockedOut);
      const std::string retry = "Retry-After: " + std::to_string(left->count()) + "\r\n";
      WriteJsonError(conn, 429, "too_many_failures",
                     "too many failed authentications from this address; retry after " +
                         std::to_string(left->count()) + " s",
                     retry);
      return false;
    }
  }
  AuthDecision decision;
  {
    const CredentialStore::Guard credentials = store_.Current();
    decision = Authorize(mg_get_header(conn, "Authorization"), required, credentials.get(),
                         std::chrono::system_clock::now());
    if (decision.allowed) {
      if (principal != nullptr) *principal = std::move(decision.principal);
      return true;
    }
  }
  metrics_.CountAuthFailure(decision.reason);
  if (!client) client = ClientOf(conn);
  const mg_request_info* info = mg_get_request_info(conn);
  // Printable, not quoted: CheckRequestHead let only RFC 3986 path characters through (no
  // space, quote or control byte), so the path cannot end its field; Printable is the backstop.
  const std::string path = Printable(info->local_uri_raw != nullptr ? info->local_uri_raw : "");
  const std::string address = client->ToString();
  std::string message(decision.message);
  if (!decision.detail.empty()) message += " (" + decision.detail + ")";
  if (decision.status == 403) {
    spdlog::warn("auth: forbidden: client {} path {}: {}", address, path, message);
    WriteJsonError(conn, 403, "forbidden", message,
                   "WWW-Authenticate: Bearer realm=\"upkeep\", error=\"insufficient_scope\"\r\n");
    return false;
  }
  spdlog::warn("auth: refused: client {} path {} reason {}: {}", address, path,
               AuthFailureLabel(decision.reason), message);
  if (lockout_.RecordFailure(client->LockoutKey(), FailureLockout::Clock::now())) {
    spdlog::warn("auth: client {} locked out for {} s after {} failed authentications", address,
                 std::chrono::duration_cast<std::chrono::seconds>(lockout_.window()).count(),
                 options_.max_failures);
  }
  WriteJsonError(conn, 401, "unauthorized", message, decision.authenticate);
  return false;
}

}  // namespace upkeep
