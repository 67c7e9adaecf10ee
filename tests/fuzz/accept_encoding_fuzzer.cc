// AcceptsGzip on an arbitrary Accept-Encoding header value: no crash, no UB, and the answer
// does not depend on letter case (content codings and "q" are case-insensitive, RFC 9110).

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/accept_encoding.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view header(reinterpret_cast<const char*>(data), size);
  const bool accepts = upkeep::AcceptsGzip(header);
  std::string upper(header);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  FUZZ_CHECK(upkeep::AcceptsGzip(upper) == accepts);
  return 0;
}
