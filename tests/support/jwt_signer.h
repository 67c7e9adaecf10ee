#pragma once

// Test-only: makes JWTs with an HS256 signature computed by OpenSSL, independently of the
// daemon's verifier, so tests can present valid, expired, tampered or wrongly signed tokens.

#include <cstdint>
#include <string>
#include <string_view>

namespace upkeep::testing {

// base64url(header).base64url(payload).base64url(HMAC-SHA256(secret, first two parts)).
// The JSON texts are used as given (so a test can send any header, "alg":"none" included).
std::string SignJwt(std::string_view header_json, std::string_view payload_json,
                    std::string_view secret);

// The standard header {"alg":"HS256","typ":"JWT"}.
inline constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

// Seconds since the epoch, now.
int64_t NowSeconds();

}  // namespace upkeep::testing
