#pragma once

#include <cstdio>

namespace upkeep {

// `upkeep token create|list|revoke ...`: manages the tokens file. argv[0] is "token".
//
//   upkeep token create --name NAME --role admin|metrics [--tokens-file F | --config FILE]
//   upkeep token list [--tokens-file F | --config FILE]
//   upkeep token revoke --name NAME [--tokens-file F | --config FILE]
//
// The file is auth.tokens_file of the --config file, or --tokens-file. `create` prints the new
// token alone on `out` (once: only its SHA-256 is stored), so scripts can capture it; notes
// go to `err`. Changes are atomic (temp file, fsync, rename; mode 0600, owner kept) and
// serialised between concurrent runs by a lock on the directory. Returns the exit status:
// 0 done, 1 refused or failed (duplicate name, unknown name, malformed file, I/O), 2 usage.
int RunTokenCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err);

}  // namespace upkeep
