#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace upkeep {

// base64url (RFC 4648 section 5) without padding, as JWTs (RFC 7515) and upkeep's API tokens
// use it.
std::string Base64UrlEncode(std::string_view bytes);

// Strict decoding: only the URL alphabet, no padding, no whitespace, and the unused low bits of
// the last character must be zero (so every byte string has exactly one encoding). nullopt for
// anything else, including a length that no encoding has (4n + 1).
std::optional<std::string> Base64UrlDecode(std::string_view text);

}  // namespace upkeep
