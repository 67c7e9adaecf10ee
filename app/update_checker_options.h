#pragma once

#include <string>

#include "controller/update_checker.h"
#include "controller/update_options.h"

namespace upkeep {

// The update check's options from the update: section, with `helper_binary` (this program) as
// the git helper. The daemon's UpdateService and `upkeep check-config` both take theirs from
// here, so the check runs the helper as the same user, on the same repo, remote and branch.
// on_run is left unset.
UpdateCheckerOptions UpdateCheckerOptionsOf(const UpdateOptions& update,
                                            const std::string& helper_binary);

}  // namespace upkeep
