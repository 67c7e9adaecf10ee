#include "auth/token_set.h"

#include <algorithm>

namespace upkeep {
namespace {

uint64_t PrefixOf(const Sha256Digest& hash) {
  uint64_t prefix = 0;
  for (size_t i = 0; i < 8; ++i) prefix = prefix << 8 | hash[i];
  return prefix;
}

}  // namespace

TokenSet::TokenSet(std::vector<TokenRecord> records) {
  std::sort(records.begin(), records.end(), [](const TokenRecord& a, const TokenRecord& b) {
    return PrefixOf(a.hash) < PrefixOf(b.hash);
  });
  prefixes_.reserve(records.size());
  for (const TokenRecord& record : records) prefixes_.push_back(PrefixOf(record.hash));
  records_ = std::move(records);
}

const TokenRecord* TokenSet::Find(std::string_view token) const {
  if (records_.empty()) return nullptr;
  return FindHash(Sha256(token));
}

const TokenRecord* TokenSet::FindHash(const Sha256Digest& hash) const {
  const uint64_t prefix = PrefixOf(hash);
  auto it = std::lower_bound(prefixes_.begin(), prefixes_.end(), prefix);
  for (; it != prefixes_.end() && *it == prefix; ++it) {
    const TokenRecord& record = records_[static_cast<size_t>(it - prefixes_.begin())];
    if (DigestsEqual(record.hash, hash)) return &record;
  }
  return nullptr;
}

}  // namespace upkeep
