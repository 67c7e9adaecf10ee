// ParseLoadavg on arbitrary bytes: no crash, no UB, loads are finite and non-negative.

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs_parsers.h"
#include "tests/fuzz/fuzz_check.h"

constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::LoadAvg> load = upkeep::ParseLoadavg(text);
  if (!load) {
    FUZZ_CHECK(!load.error().empty() && load.error().size() <= kMaxErrorBytes);
    return 0;
  }
  for (const double value : {load->load1, load->load5, load->load15}) {
    FUZZ_CHECK(std::isfinite(value) && value >= 0);
  }
  return 0;
}
