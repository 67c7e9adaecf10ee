// ParseUptime on arbitrary bytes: no crash, no UB, both values finite and non-negative.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs_parsers.h"
#include "tests/fuzz/fuzz_check.h"

constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::Uptime> uptime = upkeep::ParseUptime(text);
  if (!uptime) {
    FUZZ_CHECK(!uptime.error().empty() && uptime.error().size() <= kMaxErrorBytes);
    return 0;
  }
  FUZZ_CHECK(std::isfinite(uptime->uptime_seconds) && uptime->uptime_seconds >= 0);
  FUZZ_CHECK(std::isfinite(uptime->idle_seconds) && uptime->idle_seconds >= 0);
  return 0;
}
