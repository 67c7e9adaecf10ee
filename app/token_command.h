#pragma once

#include <cstdio>

namespace upkeep {

// `upkeep token create|list|revoke ...`: manages the tokens file. argv[0] is "token".
//
//   upkeep token create --name NAME --role admin|metrics [--owner USER]
//                       [--tokens-file F | --config FILE]
//   upkeep token list [--tokens-file F | --config FILE]
//   upkeep token revoke --name NAME [--tokens-file F | --config FILE]
//
// The file is auth.tokens_file of the --config file, or --tokens-file. `create` prints the new
// token alone on `out` (once: only its SHA-256 is stored), so scripts can capture it; notes
// go to `err`. Changes are atomic (temp file, fsync, rename; mode 0600) and serialised between
// concurrent runs by a lock on the directory. Run as root, a rewrite keeps the file's owner and
// group, so a daemon running as another user can still read it; a new file belongs to the
// caller, or with --owner USER to USER and USER's primary group (a USER other than the caller
// needs root; --owner naming someone other than an existing file's owner is refused). Returns
// the exit status: 0 done, 1 refused or failed (duplicate name, unknown name, malformed file,
// owner conflict, I/O), 2 usage (an unknown --owner user too).
int RunTokenCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err);

}  // namespace upkeep
