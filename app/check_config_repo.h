#pragma once

#include <string>

#include "app/check_config_report.h"
#include "controller/update_options.h"

namespace upkeep {

// update.repo as the daemon's update check sees it, without fetching: the git helper
// (`helper_binary git check`, this program) runs as update.user (ResolveGitUser: the owner of
// the checkout unless named) through the daemon's own UpdateChecker, opens the checkout, finds
// HEAD, the remote and its remote-tracking branch refs/remotes/<remote>/<branch>. The checkout
// is never opened in this process. Skipped without an update: section; never throws.
CheckLine CheckUpdateRepo(const UpdateOptions& update, const std::string& helper_binary);

}  // namespace upkeep
