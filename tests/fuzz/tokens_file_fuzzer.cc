// ParseTokensFile on arbitrary bytes (the tokens file is edited by hand and by `upkeep token`):
// no crash, no UB, every accepted record is valid and unique, and revoking a record (RemoveLine,
// what `upkeep token revoke` does) leaves a file that parses to the other records.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "auth/tokens_file.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto records = upkeep::ParseTokensFile(text);
  if (!records) {
    FUZZ_CHECK(!records.error().empty());
    return 0;
  }
  std::set<std::string> names;
  std::set<upkeep::Sha256Digest> hashes;
  for (const upkeep::TokenRecord& record : *records) {
    FUZZ_CHECK(upkeep::IsValidTokenName(record.name));
    FUZZ_CHECK(record.line >= 1);
    FUZZ_CHECK(names.insert(record.name).second);
    FUZZ_CHECK(hashes.insert(record.hash).second);
  }
  if (!records->empty()) {
    const upkeep::TokenRecord& first = records->front();
    const auto rest = upkeep::ParseTokensFile(upkeep::RemoveLine(text, first.line));
    FUZZ_CHECK(rest.ok() && rest->size() == records->size() - 1);
    for (const upkeep::TokenRecord& record : *rest) FUZZ_CHECK(record.name != first.name);
  }
  return 0;
}
