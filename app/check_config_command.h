#pragma once

#include <cstdio>
#include <string>

namespace upkeep {

// `upkeep check-config [--config FILE] [daemon flags]` (like `nginx -t`): checks, without
// starting anything, what the daemon given the same flags would check at its start, and what
// would make it fail soon after. argv[0] is "check-config".
//
// The checks, in this order, one CheckLine each on `out` (app/check_config_report.h):
//   config     the file loads and validates (the daemon's loader), the flags applied over it
//   tokens     auth.tokens_file exists and loads          jwt  auth.jwt.secret_file loads
//   tls        web.tls: the certificate and key load and match
//   queue      one probe of the queue source, within queue.timeout
//   state_dir  update.state_dir is safe (it may not exist yet: the daemon creates it)
//   repo       update.repo, through the git helper `helper_binary` as update.user, no fetch
// A check that does not apply is `skipped`, with why; every check runs whatever the others
// found, except that a config that does not load skips the rest. Nothing is changed: no
// directory is created, nothing is fetched, no port is bound.
//
// Returns the exit status: 0 when no check failed, 2 when one did, and 2 for a usage error
// (message and usage on `err`, no check run), as the daemon's config errors and the other
// subcommands' usage errors. A one-line summary goes to `err`.
int RunCheckConfigCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err,
                          const std::string& helper_binary);

}  // namespace upkeep
