// ParseProcStat on arbitrary bytes: no crash, no UB, and a failure is a short message.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "exporter/procfs_parsers.h"
#include "tests/fuzz/fuzz_check.h"

// Errors quote at most a short piece of the input: garbage must not make a huge log line.
constexpr size_t kMaxErrorBytes = 512;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::ProcStat> stat = upkeep::ParseProcStat(text);
  if (!stat) {
    FUZZ_CHECK(!stat.error().empty() && stat.error().size() <= kMaxErrorBytes);
    return 0;
  }
  FUZZ_CHECK(stat->cores >= 0);
  // Only a text holding both required lines parses.
  FUZZ_CHECK(text.find("cpu") != std::string_view::npos);
  FUZZ_CHECK(text.find("btime") != std::string_view::npos);
  return 0;
}
