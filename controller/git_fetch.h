#pragma once

#include <string>

#include "common/result.h"
#include "controller/check_error.h"
#include "controller/git_checkout.h"
#include "controller/git_credentials.h"

namespace upkeep {

struct GitFetchRequest {
  std::string remote = "origin";
  std::string branch = "main";
  bool allow_insecure_transport = false;
  GitCredentialConfig credentials;
};

// Fetches one branch of a remote into refs/remotes/<remote>/<branch> (forced, as `git fetch`
// does with the default refspec), with the remote's tags, so that describe sees new versions.
// Errors: no such remote, or no such branch on it (kRemoteUnavailable); a git:// or http://
// remote without allow_insecure_transport (kInsecureTransport, nothing contacted); .git not
// writable (kRepoPermission); anything the transport or the remote reports, including refused
// credentials and host keys (kFetchFailed). No timeout: libgit2 1.5 has none for a silent
// server, so the caller runs this in a child process it can kill.
CheckResult<Ok> FetchBranch(const GitCheckout& checkout, const GitFetchRequest& request);

}  // namespace upkeep
