#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "auth/role.h"
#include "auth/sha256.h"
#include "common/result.h"

namespace upkeep {

// One API token as the tokens file stores it: never the token itself, only its SHA-256.
struct TokenRecord {
  std::string name;
  Role role = Role::kMetrics;
  Sha256Digest hash{};
  size_t line = 0;  // 1-based line of the file it came from
};

// The tokens file: one token per line, "NAME ROLE SHA256-HEX", fields separated by spaces or
// tabs. Blank lines and lines starting with '#' are ignored. Names are 1-64 characters of
// [A-Za-z0-9._@-] and unique; roles are admin or metrics; hashes are unique.
//
// Pure: the text in, the records or the first problem out ("line 3: ..."). The daemon and the
// `upkeep token` commands share it, so both agree on what a valid file is.
Result<std::vector<TokenRecord>> ParseTokensFile(std::string_view text);

bool IsValidTokenName(std::string_view name);

// What a new tokens file starts with.
std::string_view TokensFileHeader();

// `text` plus one line for `record` (a missing final newline is added first).
std::string AppendTokenLine(std::string_view text, const TokenRecord& record);

// `text` without its line `line` (1-based); everything else is kept byte for byte.
std::string RemoveLine(std::string_view text, size_t line);

}  // namespace upkeep
