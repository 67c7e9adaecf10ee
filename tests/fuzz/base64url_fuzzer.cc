// Base64UrlDecode on arbitrary text: strict decoding means one encoding per byte string, so
// whatever decodes must encode back to the very same text; and any bytes round-trip.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "auth/base64url.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto decoded = upkeep::Base64UrlDecode(input)) {
    FUZZ_CHECK(upkeep::Base64UrlEncode(*decoded) == input);
  }
  const auto round_trip = upkeep::Base64UrlDecode(upkeep::Base64UrlEncode(input));
  FUZZ_CHECK(round_trip && *round_trip == input);
  return 0;
}
