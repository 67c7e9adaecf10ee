#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "auth/sha256.h"
#include "auth/tokens_file.h"

namespace upkeep {

// The API tokens the daemon accepts, immutable once built (published to request threads by
// CredentialStore). A lookup hashes the presented token and binary-searches the first 8 bytes
// of the stored hashes, then compares whole digests with CRYPTO_memcmp. What the search's
// timing can reveal is where an attacker-chosen SHA-256 falls among the stored hashes, which
// says nothing usable about any token (finding a preimage is the hard part).
class TokenSet {
 public:
  TokenSet() = default;
  explicit TokenSet(std::vector<TokenRecord> records);

  // The record for `token`, or nullptr. No allocation.
  const TokenRecord* Find(std::string_view token) const;
  const TokenRecord* FindHash(const Sha256Digest& hash) const;

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }

 private:
  std::vector<TokenRecord> records_;  // sorted by prefixes_
  std::vector<uint64_t> prefixes_;    // the first 8 bytes of each hash, big-endian
};

}  // namespace upkeep
