// What each path needs (AccessControl::Required): the path policy the server applies on top of
// each route's own access.

#include "server/access_control.h"

#include <gtest/gtest.h>

#include "server/openapi_document.h"

namespace upkeep {
namespace {

TEST(AccessControlRequiredTest, EverythingUnderApiNeedsAdmin) {
  const AccessControl access;
  for (const char* path : {"/api", "/api/", "/api/system/health", "/api/system/update/execute",
                           "/api/nope", "/api/openapi.yaml/", "/api/openapi.yamlx",
                           "/api/openapi.json", "/api/system/openapi.yaml"}) {
    EXPECT_EQ(access.Required(path, false), Access::kAdmin) << path;
  }
}

TEST(AccessControlRequiredTest, TheApiDescriptionIsTheOnePublicPathUnderApi) {
  EXPECT_EQ(kOpenApiPath, "/api/openapi.yaml");
  const AccessControl open;
  EXPECT_EQ(open.Required(kOpenApiPath, false), Access::kPublic);
  // Whatever the metrics policy: it is not the telemetry path.
  AccessControlOptions options;
  options.metrics_need_token = true;
  const AccessControl strict(options);
  EXPECT_EQ(strict.Required(kOpenApiPath, false), Access::kPublic);
}

TEST(AccessControlRequiredTest, TheTelemetryPathFollowsAuthMetrics) {
  const AccessControl open;
  EXPECT_EQ(open.Required("/metrics", true), Access::kPublic);
  AccessControlOptions options;
  options.metrics_need_token = true;
  const AccessControl strict(options);
  EXPECT_EQ(strict.Required("/metrics", true), Access::kMetrics);
  EXPECT_EQ(strict.Required("/metrics", false), Access::kPublic);
}

TEST(AccessControlRequiredTest, ThePagesAndProbesArePublic) {
  const AccessControl access;
  for (const char* path : {"/", "/-/healthy", "/-/ready", "/nope", "/apix"}) {
    EXPECT_EQ(access.Required(path, false), Access::kPublic) << path;
  }
}

}  // namespace
}  // namespace upkeep
