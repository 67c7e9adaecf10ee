#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorization.h"
#include "auth/credential_store.h"
#include "auth/failure_lockout.h"
#include "auth/ip_address.h"
#include "server/http_metrics.h"

struct mg_connection;

namespace upkeep {

struct AccessControlOptions {
  CredentialStoreOptions credentials;
  bool metrics_need_token = false;  // auth.metrics: token
  int max_failures = 10;            // per client per window; 0 disables the lockout
  std::chrono::milliseconds lockout_window{60'000};
  std::vector<Cidr> trusted_proxies;  // whose X-Forwarded-For names the client
};

// Who may call what: credentials (API tokens and JWTs, reloaded by a watcher), the failure
// lockout and the request counters. A request that is allowed touches no lock: the lockout
// check is one relaxed load while nobody is locked, the credential lookup goes through a
// SlotRing, and counters are relaxed atomics. Refusals (401, 403, 429) are written,
// logged (client address, path, reason; never the credential) and counted.
class AccessControl {
 public:
  explicit AccessControl(AccessControlOptions options = {});
  ~AccessControl();
  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  // Loads the credentials (throws ConfigError when a configured file is unusable) and starts
  // the watcher. Without Start() there are no credentials: every protected path answers 401.
  void Start();
  void Stop();
  // Reloads the tokens file and the JWT secret now (SIGHUP).
  void Reload() { store_.RequestReload(); }

  // The access `path` needs; `telemetry` is true when it is the metrics path. Everything under
  // /api/ needs admin except the API description (kOpenApiPath), which is public.
  Access Required(std::string_view path, bool telemetry) const;

  // For a request needing `required`: true when it may go on; otherwise the 401, 403 or 429
  // response has been written. `principal`, when given, is set to who was let in for
  // Access::kAdmin (AuthDecision::principal: "token:NAME", "jwt:SUB" or "jwt:-") and to ""
  // otherwise (public and metrics access name nobody, so that scrapes allocate nothing).
  bool Admit(mg_connection* conn, Access required, std::string* principal = nullptr);

  // The client address of a request (X-Forwarded-For honoured from trusted proxies only).
  IpAddress ClientOf(const mg_connection* conn) const;

  // True when neither a tokens file nor a JWT secret is configured: /api/ refuses everyone.
  bool NoCredentialSources() const;

  HttpMetrics& metrics() { return metrics_; }
  const FailureLockout& lockout() const { return lockout_; }

 private:
  const AccessControlOptions options_;
  HttpMetrics metrics_;
  FailureLockout lockout_;
  CredentialStore store_;
};

}  // namespace upkeep
