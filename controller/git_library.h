#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// libgit2's process-wide state. git_libgit2_init runs once, on first use, and is never undone:
// handles may live in static objects, and a shutdown racing them would free what they use.
class GitLibrary {
 public:
  // Initialises libgit2 once per process; every later call returns the first call's status.
  // Call before any other libgit2 function (each entry point of ours does).
  static Status Init();
};

// libgit2's last error message on this thread, or "error <code>" when it set none.
std::string GitErrorText(int code);

// An Error naming what was being done: "open repository /srv/app: could not find repository".
Error GitError(std::string_view operation, int code);

}  // namespace upkeep
