#include "server/router.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace upkeep {
namespace {

const std::vector<std::pair<std::string, Route>> kDefaultRoutes = {
    {"/", Route::kLanding},
    {"/metrics", Route::kMetrics},
    {"/api/system/health", Route::kHealth},
    {"/-/healthy", Route::kHealthy},
    {"/-/ready", Route::kReady},
};

TEST(RouterTest, GetAndHeadReachEveryRoute) {
  const Router router("/metrics");
  for (const auto& [path, route] : kDefaultRoutes) {
    for (const char* method : {"GET", "HEAD"}) {
      const RouteMatch match = router.Match(method, path);
      EXPECT_EQ(match.route, route) << method << " " << path;
      EXPECT_TRUE(match.allow.empty()) << method << " " << path;
    }
  }
}

TEST(RouterTest, OtherMethodsOnKnownPathsAre405WithAllow) {
  const Router router("/metrics");
  for (const auto& [path, route] : kDefaultRoutes) {
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"}) {
      const RouteMatch match = router.Match(method, path);
      EXPECT_EQ(match.route, Route::kMethodNotAllowed) << method << " " << path;
      EXPECT_EQ(match.allow, "GET, HEAD") << method << " " << path;
    }
  }
}

TEST(RouterTest, MethodsAreCaseSensitive) {
  const Router router("/metrics");
  const RouteMatch match = router.Match("get", "/metrics");
  EXPECT_EQ(match.route, Route::kMethodNotAllowed);
  EXPECT_EQ(match.allow, "GET, HEAD");
}

TEST(RouterTest, UnknownPathsAre404) {
  const Router router("/metrics");
  for (const char* path : {"/nope", "/metric", "/metricsx", "/api", "/api/system",
                           "/api/system/health/x", "/-/", "/METRICS", "", "//"}) {
    for (const char* method : {"GET", "HEAD", "POST"}) {
      const RouteMatch match = router.Match(method, path);
      EXPECT_EQ(match.route, Route::kNotFound) << method << " " << path;
      EXPECT_TRUE(match.allow.empty()) << method << " " << path;
    }
  }
}

TEST(RouterTest, TrailingSlashIsNotAnAlias) {
  const Router router("/metrics");
  for (const char* path : {"/metrics/", "/api/system/health/", "/-/healthy/", "/-/ready/"}) {
    EXPECT_EQ(router.Match("GET", path).route, Route::kNotFound) << path;
    EXPECT_EQ(router.Match("POST", path).route, Route::kNotFound) << path;
  }
}

TEST(RouterTest, CustomTelemetryPathReplacesMetrics) {
  const Router router("/custom");
  EXPECT_EQ(router.Match("GET", "/custom").route, Route::kMetrics);
  EXPECT_EQ(router.Match("HEAD", "/custom").route, Route::kMetrics);
  const RouteMatch post = router.Match("POST", "/custom");
  EXPECT_EQ(post.route, Route::kMethodNotAllowed);
  EXPECT_EQ(post.allow, "GET, HEAD");
  EXPECT_EQ(router.Match("GET", "/metrics").route, Route::kNotFound);
  EXPECT_EQ(router.Match("POST", "/metrics").route, Route::kNotFound);
  EXPECT_EQ(router.Match("GET", "/custom/").route, Route::kNotFound);
  // The other routes are unaffected.
  EXPECT_EQ(router.Match("GET", "/").route, Route::kLanding);
  EXPECT_EQ(router.Match("GET", "/api/system/health").route, Route::kHealth);
}

TEST(RouterTest, NestedCustomTelemetryPath) {
  const Router router("/internal/metrics");
  EXPECT_EQ(router.Match("GET", "/internal/metrics").route, Route::kMetrics);
  EXPECT_EQ(router.Match("GET", "/internal").route, Route::kNotFound);
  EXPECT_EQ(router.Match("GET", "/metrics").route, Route::kNotFound);
}

}  // namespace
}  // namespace upkeep
