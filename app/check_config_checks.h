#pragma once

#include "app/check_config_report.h"
#include "auth/auth_options.h"
#include "controller/update_options.h"
#include "queue/queue_options.h"
#include "server/web_options.h"

namespace upkeep {

// The checks of `upkeep check-config` that need no git: each does what the daemon does with
// that part of the config at its start, through the same code, and says what it found in one
// CheckLine. None throws (an exception is a FAILED line) and none changes anything.

// auth.tokens_file: loaded as the daemon loads it (CredentialStore). A file that does not
// exist fails here, though the daemon starts without it: it would accept no token at all.
CheckLine CheckTokensFile(const AuthOptions& auth);

// auth.jwt.secret_file: loaded as the daemon loads it (CredentialStore).
CheckLine CheckJwtSecret(const AuthOptions& auth);

// web.tls: CivetWeb has TLS, and the certificate chain and key load and match
// (server/tls_files_check.h).
CheckLine CheckTls(const WebOptions& web);

// queue.*: one probe of the configured source, bounded by queue.timeout as the daemon's are.
CheckLine CheckQueue(const QueueOptions& queue);

// update.state_dir, as the daemon checks it at start (controller/state_dir_check.h). One that
// does not exist yet is fine: the daemon creates it.
CheckLine CheckUpdateStateDir(const UpdateOptions& update);

}  // namespace upkeep
