// VerifyJwt behind a valid signature. Random tokens never get past the HMAC check
// (jwt_verifier_fuzzer covers that gate), so here the input is "HEADER\nPAYLOAD" after one
// settings byte, and the target base64url-encodes and signs it with the configured secret: the
// fuzzer then reaches the header and claim checks (alg, exp, nbf, iss, aud, role claim).
// Properties: VerifyJwt is total (no crash, no exception), only alg HS256 is ever accepted (a
// token cannot choose its own verification), and no error message repeats the token.

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "auth/base64url.h"
#include "auth/jwt_verifier.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr std::string_view kSecret = "fuzz-secret-0123456789";

std::string Sign(std::string_view signing_input) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_size);
  return upkeep::Base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac), mac_size));
}

bool HeaderPinsHs256(std::string_view header_json) {
  const nlohmann::json header = nlohmann::json::parse(header_json, nullptr, false);
  if (!header.is_object()) return false;
  const auto alg = header.find("alg");
  return alg != header.end() && alg->is_string() && alg->get<std::string>() == "HS256";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t mode = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const size_t newline = rest.find('\n');
  if (newline == std::string_view::npos) return 0;
  const std::string_view header_json = rest.substr(0, newline);
  const std::string signing_input = upkeep::Base64UrlEncode(header_json) + "." +
                                    upkeep::Base64UrlEncode(rest.substr(newline + 1));
  const std::string token = signing_input + "." + Sign(signing_input);

  upkeep::JwtSettings settings;
  settings.secret = std::string(kSecret);
  if (mode & 1) settings.issuer = "https://farm.example";
  if (mode & 2) settings.audience = "upkeep";
  if (mode & 4) settings.role_claim = "groups";
  // 2026-01-01T00:00:00Z: the seeds' exp and nbf are on either side of it.
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1767225600));

  const upkeep::Result<upkeep::JwtClaims> claims = upkeep::VerifyJwt(token, settings, now);
  if (claims) {
    FUZZ_CHECK(upkeep::IsJwtShaped(token));
    FUZZ_CHECK(HeaderPinsHs256(header_json));
  } else {
    FUZZ_CHECK(!claims.error().empty());
    FUZZ_CHECK(claims.error().find(token) == std::string::npos);
  }
  return 0;
}
