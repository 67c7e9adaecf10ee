// The libcurl version as the loaded library reports it.

#include "common/curl_version.h"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

TEST(CurlVersionTest, IsTheLoadedLibrarysVersion) {
  const std::string version = CurlVersion();
  // The library this test runs with has the major version of the headers it was built with.
  EXPECT_EQ(version.rfind(std::to_string(LIBCURL_VERSION_MAJOR) + ".", 0), 0u) << version;
  EXPECT_EQ(version, curl_version_info(CURLVERSION_NOW)->version);
}

}  // namespace
}  // namespace upkeep
