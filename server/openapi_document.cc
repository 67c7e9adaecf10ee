#include "server/openapi_document.h"

#include <cstddef>

// Defined in the source server/embed_file.cmake generates from docs/openapi.yaml.
namespace upkeep::embedded {
extern const unsigned char kOpenApiYaml[];
extern const std::size_t kOpenApiYamlSize;
}  // namespace upkeep::embedded

namespace upkeep {

std::string_view OpenApiDocument() {
  return {reinterpret_cast<const char*>(embedded::kOpenApiYaml), embedded::kOpenApiYamlSize};
}

}  // namespace upkeep
