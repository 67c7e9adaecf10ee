#include "app/version_report.h"

#include <algorithm>

#include "common/curl_version.h"
#include "common/version.h"
#include "controller/git_library_version.h"
#include "server/library_versions.h"

namespace upkeep {

std::string FormatVersionReport(std::string_view version, std::string_view revision,
                                const std::vector<LibraryVersion>& libraries) {
  std::vector<LibraryVersion> lines = {{"version", std::string(version)},
                                       {"revision", std::string(revision)}};
  lines.insert(lines.end(), libraries.begin(), libraries.end());
  size_t width = 0;
  for (const LibraryVersion& line : lines) width = std::max(width, line.name.size());
  std::string text =
      "upkeep " + std::string(version) + " (revision " + std::string(revision) + ")\n";
  for (const LibraryVersion& line : lines) {
    text += "  " + line.name + ":" + std::string(width - line.name.size() + 1, ' ') + line.version +
            "\n";
  }
  return text;
}

std::vector<LibraryVersion> RuntimeLibraryVersions() {
  return {
      {"civetweb", CivetWebVersion()},
      {"libgit2", LibGit2Version()},
      {"libcurl", CurlVersion()},
      {"openssl", OpenSslVersion()},
  };
}

std::string VersionReport() {
  return FormatVersionReport(kVersion, kRevision, RuntimeLibraryVersions());
}

}  // namespace upkeep
