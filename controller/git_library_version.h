#pragma once

#include <string>

namespace upkeep {

// The version of the libgit2 this process runs with ("1.5.1"): git_libgit2_version asks the
// shared library itself. Needs no git_libgit2_init.
std::string LibGit2Version();

}  // namespace upkeep
