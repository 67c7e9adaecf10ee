#pragma once

#include <string_view>

namespace upkeep {

// Where HttpServer serves the API's OpenAPI description. Public: the one path under /api/
// that needs no credential (AccessControl::Required), since a client needs the description
// before it has a token, and it holds nothing that is not in the repository.
inline constexpr std::string_view kOpenApiPath = "/api/openapi.yaml";
// RFC 9512's media type for YAML.
inline constexpr std::string_view kOpenApiContentType = "application/yaml";

// docs/openapi.yaml byte for byte as it was when the binary was built (server/CMakeLists.txt
// embeds it), so the description served is the one of the code that serves it.
std::string_view OpenApiDocument();

}  // namespace upkeep
