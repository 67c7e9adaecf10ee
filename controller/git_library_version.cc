#include "controller/git_library_version.h"

#include <git2.h>

namespace upkeep {

std::string LibGit2Version() {
  int major = 0;
  int minor = 0;
  int revision = 0;
  if (git_libgit2_version(&major, &minor, &revision) != 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(revision);
}

}  // namespace upkeep
