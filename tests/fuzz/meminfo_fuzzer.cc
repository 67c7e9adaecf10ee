// ParseMeminfo on arbitrary bytes: no crash, no UB (the kB to bytes product must not
// overflow), and a failure is a short message.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs_parsers.h"
#include "tests/fuzz/fuzz_check.h"

constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::MemInfo> info = upkeep::ParseMeminfo(text);
  if (!info) {
    FUZZ_CHECK(!info.error().empty() && info.error().size() <= kMaxErrorBytes);
    return 0;
  }
  // Values are whole kB.
  FUZZ_CHECK(info->total_bytes % 1024 == 0 && info->available_bytes % 1024 == 0);
  FUZZ_CHECK(info->UsedBytes() <= info->total_bytes);
  return 0;
}
