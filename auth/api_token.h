#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// API tokens look like "upk_" + 43 base64url characters (32 random bytes).
inline constexpr std::string_view kApiTokenPrefix = "upk_";

// A fresh token from 32 bytes of getrandom(2) (the kernel CSPRNG; blocks only until it is
// seeded at boot). An error only when the kernel refuses.
Result<std::string> GenerateApiToken();

// True for text of the shape GenerateApiToken() makes: the prefix and 43 base64url characters.
bool IsApiTokenShaped(std::string_view text);

}  // namespace upkeep
