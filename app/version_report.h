#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace upkeep {

// One library in the --version report: {"libgit2", "1.5.1"}.
struct LibraryVersion {
  std::string name;
  std::string version;
};

// The --version text. The first line stays what it always was ("upkeep 0.1.0 (revision
// 3d2667d1cfe0)": scripts take it with head -1), then one "  NAME: VALUE" line each, the
// values aligned, the value being the rest of the line:
//   upkeep 0.1.0 (revision 3d2667d1cfe0)
//     version:  0.1.0
//     revision: 3d2667d1cfe0
//     civetweb: 1.15
//     ...
std::string FormatVersionReport(std::string_view version, std::string_view revision,
                                const std::vector<LibraryVersion>& libraries);

// The libraries this process runs with, as they answer at run time (not the headers the
// build saw): civetweb, libgit2, libcurl, openssl.
std::vector<LibraryVersion> RuntimeLibraryVersions();

// FormatVersionReport of this build and RuntimeLibraryVersions().
std::string VersionReport();

}  // namespace upkeep
