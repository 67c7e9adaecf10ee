#pragma once

#include <optional>
#include <string>

#include "common/process_runner.h"
#include "controller/check_error.h"

namespace upkeep {

// Who git work for the checkout at `repo` runs as (the helper, and an update's steps), from the
// configured `user` (update.user: a name or a uid):
//  - "" means the owner of `repo`, except root: git runs as root only when "root" is written
//    out, because a fetch as root leaves root-owned objects that break the service's own git;
//  - a daemon running as root may run it as anyone: the user resolved (RunAs);
//  - a daemon not running as root only as itself: nullopt (no switch), any other user is an
//    error.
// Errors: repo_unavailable when the owner of `repo` cannot be found because it is missing,
// repo_permission for the rest (unreadable, owned by root, unknown user, another user).
CheckResult<std::optional<RunAs>> ResolveGitUser(const std::string& repo, const std::string& user);

}  // namespace upkeep
