#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace upkeep {

using Sha256Digest = std::array<uint8_t, 32>;

// SHA-256 through OpenSSL's low-level functions: no allocation (the request path hashes
// every presented API token).
Sha256Digest Sha256(std::string_view bytes);

// Lower-case hex, 64 characters.
std::string Sha256Hex(const Sha256Digest& digest);

// 64 hex digits (either case) to a digest; nullopt for anything else.
std::optional<Sha256Digest> ParseSha256Hex(std::string_view hex);

// Constant-time equality (CRYPTO_memcmp): the time taken does not depend on where the
// digests differ.
bool DigestsEqual(const Sha256Digest& a, const Sha256Digest& b);

}  // namespace upkeep
