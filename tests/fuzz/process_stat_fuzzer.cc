// ParseProcessStat on arbitrary bytes (the comm field may hold anything, ')' included): no
// crash, no UB, and a failure is a short message.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/process_parsers.h"
#include "tests/fuzz/fuzz_check.h"

constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::ProcessStat> stat = upkeep::ParseProcessStat(text);
  if (!stat) {
    FUZZ_CHECK(!stat.error().empty() && stat.error().size() <= kMaxErrorBytes);
    return 0;
  }
  FUZZ_CHECK(text.find('(') != std::string_view::npos);
  FUZZ_CHECK(text.rfind(')') != std::string_view::npos);
  return 0;
}
