// ParseProcessStatm on arbitrary bytes: no crash, no UB, a failure is a short message, and
// an accepted text has exactly seven fields.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/process_parsers.h"
#include "tests/fuzz/fuzz_check.h"

constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::ProcessStatm> statm = upkeep::ParseProcessStatm(text);
  if (!statm) {
    FUZZ_CHECK(!statm.error().empty() && statm.error().size() <= kMaxErrorBytes);
    return 0;
  }
  size_t fields = 0;
  bool in_field = false;
  for (const char c : text) {
    const bool blank = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (!blank && !in_field) ++fields;
    in_field = !blank;
  }
  FUZZ_CHECK(fields == 7);
  return 0;
}
