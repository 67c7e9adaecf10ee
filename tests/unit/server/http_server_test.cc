// HttpServer's own routes: the landing page and the API description, which is public although
// it lies under /api/. Through a real in-process server on 127.0.0.1 (one start: stopping
// CivetWeb takes a moment).

#include "server/http_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "exporter/snapshot_ring.h"
#include "server/openapi_document.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

HttpServerOptions LoopbackOptions() {
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 4;
  return options;
}

// No credentials at all: every path that needs one answers 401, so a 200 is a public path.
TEST(HttpServerTest, ServesTheApiDescriptionToAnyoneAndTheLandingPageLinksIt) {
  SnapshotRing ring;
  HttpServer server(LoopbackOptions(), ring);
  server.Start();
  const uint16_t port = server.bound_port();
  const std::string path(kOpenApiPath);

  const testing::HttpResponse get = testing::Request(port, "GET", path);
  EXPECT_EQ(get.status, 200) << get.body;
  EXPECT_EQ(get.Header("content-type"), "application/yaml");
  EXPECT_TRUE(get.body == OpenApiDocument()) << "not the embedded document";
  EXPECT_EQ(get.Header("content-length"), std::to_string(OpenApiDocument().size()));

  const testing::HttpResponse head = testing::Request(port, "HEAD", path);
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-type"), "application/yaml");
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(head.Header("content-length"), std::to_string(OpenApiDocument().size()));

  const testing::HttpResponse post = testing::Request(port, "POST", path, "", "{}");
  EXPECT_EQ(post.status, 405) << post.body;
  EXPECT_EQ(post.Header("allow"), "GET, HEAD");

  // The exception is that one path: the rest of /api/ still needs a credential.
  for (const char* other : {"/api/system/health", "/api/openapi.yaml/", "/api/openapi.json"}) {
    const testing::HttpResponse refused = testing::Request(port, "GET", other);
    EXPECT_EQ(refused.status, 401) << other << ": " << refused.body;
  }

  const testing::HttpResponse landing = testing::Request(port, "GET", "/");
  EXPECT_EQ(landing.status, 200);
  EXPECT_EQ(landing.Header("content-type"), "text/html; charset=utf-8");
  EXPECT_NE(landing.body.find("<a href=\"/api/openapi.yaml\">"), std::string::npos) << landing.body;
  EXPECT_NE(landing.body.find("<a href=\"/metrics\">"), std::string::npos) << landing.body;
}

TEST(HttpServerTest, TheApiDescriptionIsABuiltInRouteWithItsOwnLabel) {
  const std::vector<std::string> paths = HttpServer::BuiltInPaths("/metrics");
  EXPECT_NE(std::find(paths.begin(), paths.end(), std::string(kOpenApiPath)), paths.end());
  SnapshotRing ring;
  HttpServer server(LoopbackOptions(), ring);
  const std::vector<std::string> labels = server.handler_labels();
  EXPECT_NE(std::find(labels.begin(), labels.end(), std::string(kOpenApiPath)), labels.end());
  // A route of the composition root cannot take its path.
  Route clash;
  clash.path = std::string(kOpenApiPath);
  clash.handler = [](const HttpRequest&, HttpResponse& response) { response.Text(200, ""); };
  EXPECT_THROW(server.AddRoute(std::move(clash)), std::invalid_argument);
}

}  // namespace
}  // namespace upkeep
