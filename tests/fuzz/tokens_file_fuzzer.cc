// ParseTokensFile on arbitrary bytes: no crash, and a file it accepts holds valid, unique
// names whose records survive being written back and parsed again.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/tokens_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto records = upkeep::ParseTokensFile(text);
  if (!records) {
    FUZZ_CHECK(records.error().starts_with("line "));
    return 0;
  }
  std::string rewritten;
  for (const upkeep::TokenRecord& record : *records) {
    FUZZ_CHECK(upkeep::IsValidTokenName(record.name));
    rewritten = upkeep::AppendTokenLine(rewritten, record);
  }
  const auto again = upkeep::ParseTokensFile(rewritten);
  FUZZ_CHECK(again && again->size() == records->size());
  for (size_t i = 0; i < records->size(); ++i) {
    FUZZ_CHECK((*again)[i].name == (*records)[i].name);
    FUZZ_CHECK((*again)[i].role == (*records)[i].role);
    FUZZ_CHECK((*again)[i].hash == (*records)[i].hash);
  }
  return 0;
}
