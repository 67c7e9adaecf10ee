#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/result.h"

namespace upkeep {

// At daemon start: is update.state_dir safe to keep the journal, the history and the update
// lock in? They decide what a restart does to the service (a forged journal could make the
// daemon "roll back" to a revision of someone's choosing), so nobody but upkeep's own user may
// change them. OK when the directory:
//
// - exists and is a directory itself, not a symlink to one (lstat);
// - is owned by our effective uid and has mode 0700 (group or other bits: an error naming the
//   mode and the fix, `chmod 700 DIR`);
// - does not lie in update.repo (canonical paths: the repo itself or anything below), where
//   the checkout and the steps could change or remove it;
// - when `update_user_uid` (the user who runs git work and the steps) is set and is not us:
//   has no parent directory that user could write to, or they could rename the state
//   directory away and put one of their own in its place. A parent is writable for them when
//   they own it, or it is group-writable and they are in its group, or it is world-writable,
//   unless its sticky bit is set (then only an entry's owner may rename it). Both the parents
//   of the path as given and of the path it resolves to are checked.
//
// Errors begin with "update.state_dir: " and name the path and the fix.
Status CheckStateDir(const std::string& state_dir, const std::string& repo,
                     std::optional<uid_t> update_user_uid);

}  // namespace upkeep
