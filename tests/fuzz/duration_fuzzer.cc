// ParseDuration on arbitrary bytes: no crash, no signed overflow (UBSan), and every accepted
// duration is non-negative and survives FormatDuration -> ParseDuration unchanged.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/duration.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = upkeep::ParseDuration(text);
  if (!parsed) {
    FUZZ_CHECK(!parsed.error().empty());
    return 0;
  }
  FUZZ_CHECK(parsed->count() >= 0);
  const std::string formatted = upkeep::FormatDuration(*parsed);
  const auto reparsed = upkeep::ParseDuration(formatted);
  FUZZ_CHECK(reparsed.ok() && *reparsed == *parsed);
  return 0;
}
