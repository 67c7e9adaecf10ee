// The CivetWeb and OpenSSL versions as the loaded libraries report them.

#include "server/library_versions.h"

#include <gtest/gtest.h>
#include <openssl/opensslv.h>

#include <regex>
#include <string>

namespace upkeep {
namespace {

TEST(LibraryVersionsTest, CivetWebAnswersItsVersion) {
  const std::string version = CivetWebVersion();
  EXPECT_TRUE(std::regex_match(version, std::regex(R"(\d+\.\d+(\.\d+)?)"))) << version;
}

TEST(LibraryVersionsTest, OpenSslNamesItselfAndItsVersion) {
  const std::string version = OpenSslVersion();
  // "OpenSSL 3.0.11 19 Sep 2023": the loaded libcrypto, of the headers' major version.
  EXPECT_EQ(version.rfind("OpenSSL " + std::to_string(OPENSSL_VERSION_MAJOR) + ".", 0), 0u)
      << version;
}

}  // namespace
}  // namespace upkeep
