// VerifyJwt on arbitrary bytes, with and without issuer/audience checks: no crash, no UB, no
// exception, and an accepted token is one that has the JWT shape. (Forging a signature by
// fuzzing would mean the HMAC check is broken: then the input is accepted and saved too.)

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/jwt_verifier.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  upkeep::JwtSettings settings;
  settings.secret = "fuzzing-secret-0123456789abcdef";
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const auto plain = upkeep::VerifyJwt(token, settings, now);
  settings.issuer = "renderfarm";
  settings.audience = "upkeep";
  const auto strict = upkeep::VerifyJwt(token, settings, now);
  FUZZ_CHECK(!plain || upkeep::IsJwtShaped(token));
  FUZZ_CHECK(!strict || plain);  // more checks never accept more
  return 0;
}
