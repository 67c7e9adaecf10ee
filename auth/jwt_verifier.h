#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "auth/role.h"
#include "common/result.h"

namespace upkeep {

struct JwtSettings {
  std::string secret;    // the HMAC key: the bytes of auth.jwt.secret_file
  std::string issuer;    // "" = iss is not checked
  std::string audience;  // "" = aud is not checked
  std::string role_claim = "role";
  std::chrono::seconds leeway{60};  // allowed clock skew for exp and nbf
};

struct JwtClaims {
  RoleSet roles;        // the upkeep roles named in the role claim (others are ignored)
  std::string subject;  // "sub", for logs; "" when absent
};

// Verifies an HS256 JWT (compact serialisation) and returns its claims. Pure and total: any
// input gives claims or an error, never a crash or an exception, so it can be fuzzed.
//
// Only alg HS256 is accepted ("none" and every other alg are rejected, so a token cannot pick
// its own verification); the signature is checked with OpenSSL's HMAC and CRYPTO_memcmp before
// the payload is read. exp is required. exp and nbf are checked with `leeway`; iss and aud only
// when configured (aud may be a string or an array of strings). The role claim may be absent
// (no roles), a string or an array of strings. Error messages never contain the token or
// values taken from it.
Result<JwtClaims> VerifyJwt(std::string_view token, const JwtSettings& settings,
                            std::chrono::system_clock::time_point now);

// The HS256 key from the content of auth.jwt.secret_file: trailing CR and LF bytes (only those)
// are stripped, so a file written by `echo` or an editor on Windows gives the key it shows; every
// other byte is kept. An error (a message naming the rule, never the secret) for a secret that
// is empty, holds only whitespace, or is shorter than kMinJwtSecretBytes (RFC 7518 3.2: an
// HS256 key must be at least as long as the hash output).
inline constexpr size_t kMinJwtSecretBytes = 32;
Result<std::string> NormalizeJwtSecret(std::string_view file_content);

// True when `text` has the compact JWT shape (three non-empty dot-separated parts), to tell
// a JWT from an API token before verifying it.
bool IsJwtShaped(std::string_view text);

}  // namespace upkeep
