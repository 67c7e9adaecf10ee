#pragma once

#include <chrono>
#include <string>

#include "common/settings.h"

namespace upkeep {

struct JwtOptions {
  std::string secret_file;  // "" = JWTs are not accepted
  std::string issuer;       // "" = iss not checked
  std::string audience;     // "" = aud not checked
  std::string role_claim = "role";
  std::chrono::milliseconds leeway{60'000};
  bool operator==(const JwtOptions&) const = default;
};

// auth.*: where the credentials come from and how failed logins are limited.
struct AuthOptions {
  std::string tokens_file;       // "" = no API tokens
  std::string metrics = "open";  // open | token
  JwtOptions jwt;
  int max_failures = 10;  // failed logins per client per window before 429; 0 = off
  std::chrono::milliseconds lockout_window{60'000};
  std::chrono::milliseconds watch_interval{1000};  // how often the credential files are stat'ed
  bool operator==(const AuthOptions&) const = default;
};

// The auth.* settings (no YAML here: see common/settings.h).
SettingsTable<AuthOptions> AuthSettings();

}  // namespace upkeep
