// The --version text: its first line as before, then one aligned "NAME: VALUE" line each, and
// the libraries' run-time answers.

#include "app/version_report.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "common/version.h"

namespace upkeep {
namespace {

TEST(VersionReportTest, FirstLineThenAlignedNameValueLines) {
  EXPECT_EQ(FormatVersionReport("0.1.0", "3d2667d1cfe0",
                                {{"civetweb", "1.15"}, {"openssl", "OpenSSL 3.0.11 19 Sep 2023"}}),
            "upkeep 0.1.0 (revision 3d2667d1cfe0)\n"
            "  version:  0.1.0\n"
            "  revision: 3d2667d1cfe0\n"
            "  civetweb: 1.15\n"
            "  openssl:  OpenSSL 3.0.11 19 Sep 2023\n");
}

TEST(VersionReportTest, WithoutLibrariesTheVersionAndRevisionLinesRemain) {
  EXPECT_EQ(FormatVersionReport("1.2.3", "unknown", {}),
            "upkeep 1.2.3 (revision unknown)\n"
            "  version:  1.2.3\n"
            "  revision: unknown\n");
}

TEST(VersionReportTest, RuntimeLibrariesAnswerWithVersions) {
  const std::vector<LibraryVersion> libraries = RuntimeLibraryVersions();
  std::vector<std::string> names;
  for (const LibraryVersion& library : libraries) {
    names.push_back(library.name);
    ASSERT_FALSE(library.version.empty()) << library.name;
    EXPECT_NE(library.version, "unknown") << library.name;
    // A version number: "1.15", "1.5.1", "7.88.1"; OpenSSL's text names itself first.
    const std::string number = library.name == "openssl"
                                   ? library.version.substr(library.version.find(' ') + 1)
                                   : library.version;
    EXPECT_TRUE(std::isdigit(static_cast<unsigned char>(number[0]))) << library.version;
    EXPECT_NE(number.find('.'), std::string::npos) << library.version;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"civetweb", "libgit2", "libcurl", "openssl"}));
  EXPECT_EQ(libraries.back().version.rfind("OpenSSL ", 0), 0u) << libraries.back().version;
}

TEST(VersionReportTest, ReportIsThisBuildsVersion) {
  const std::string report = VersionReport();
  EXPECT_EQ(report.rfind("upkeep " + std::string(kVersion) + " (revision " + kRevision + ")\n", 0),
            0u)
      << report;
  EXPECT_NE(report.find("\n  libgit2:  "), std::string::npos) << report;
}

}  // namespace
}  // namespace upkeep
