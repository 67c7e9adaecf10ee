// The embedded API description: docs/openapi.yaml byte for byte, as the build embedded it.

#include "server/openapi_document.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "common/version.h"

namespace upkeep {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(OpenApiDocumentTest, IsDocsOpenapiYamlByteForByte) {
  const std::string source = ReadFile(std::string(UPKEEP_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_FALSE(source.empty()) << "docs/openapi.yaml cannot be read";
  // Compared as a whole (a rebuild after an edit must embed the edit), and without the NUL the
  // generated array ends with.
  EXPECT_EQ(OpenApiDocument().size(), source.size());
  EXPECT_TRUE(OpenApiDocument() == source) << "the binary embeds an older docs/openapi.yaml";
}

TEST(OpenApiDocumentTest, IsAnOpenApi31DocumentThatDescribesItsOwnPath) {
  const std::string_view document = OpenApiDocument();
  EXPECT_TRUE(document.starts_with("openapi: 3.1.")) << document.substr(0, 40);
  EXPECT_NE(document.find("\n  " + std::string(kOpenApiPath) + ":\n"), std::string_view::npos);
}

TEST(OpenApiDocumentTest, HasTheDaemonsVersion) {
  // The API is the daemon's: a release that changes one changes the other.
  EXPECT_NE(OpenApiDocument().find("\ninfo:\n  title: upkeep\n  version: " + std::string(kVersion) +
                                   "\n"),
            std::string_view::npos)
      << "docs/openapi.yaml: info.version is not " << kVersion;
}

TEST(OpenApiDocumentTest, IsServedAsYaml) { EXPECT_EQ(kOpenApiContentType, "application/yaml"); }

}  // namespace
}  // namespace upkeep
