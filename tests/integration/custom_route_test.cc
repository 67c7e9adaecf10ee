// Routes added from outside server/ (as app/ adds the update API): served in-process over
// real HTTP on 127.0.0.1 with the same limits, access control, 404/405 handling and request
// counters as the built-in ones.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "auth/api_token.h"
#include "auth/tokens_file.h"
#include "exporter/snapshot_ring.h"
#include "server/http_server.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using nlohmann::json;

constexpr size_t kMaxBody = 1024;

std::string Bearer(const std::string& token) { return "Authorization: Bearer " + token + "\r\n"; }

Route MakeRoute(std::string path, std::vector<std::string> methods, std::string label,
                Access access, RouteHandler handler) {
  Route route;
  route.path = std::move(path);
  route.methods = std::move(methods);
  route.label = std::move(label);
  route.access = access;
  route.handler = std::move(handler);
  return route;
}

class CustomRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tokens;
    admin_ = AddToken(tokens, "admin", Role::kAdmin);
    metrics_ = AddToken(tokens, "scraper", Role::kMetrics);
    AccessControlOptions access_options;
    access_options.credentials.tokens_file = dir_.Write("tokens", tokens);
    access_options.max_failures = 0;  // this test sends many refused requests on purpose
    access_ = std::make_unique<AccessControl>(access_options);
    access_->Start();

    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    options.max_body_bytes = kMaxBody;
    server_ = std::make_unique<HttpServer>(options, ring_, access_.get());
    // What an update endpoint looks like: POST, admin, a JSON answer built from the request.
    server_->AddRoute(MakeRoute("/api/test/echo", {"POST"}, "echo", Access::kAdmin,
                                [this](const HttpRequest& request, HttpResponse& response) {
                                  calls_.fetch_add(1);
                                  const std::optional<std::string_view> tag =
                                      request.Header("x-echo-tag");
                                  const json body = {{"method", request.method()},
                                                     {"path", request.path()},
                                                     {"query", request.query()},
                                                     {"body", request.body()},
                                                     {"tag", tag ? *tag : "(none)"}};
                                  response.Json(200, body.dump());
                                }));
    // Declared public, but under /api/: the server still asks for admin.
    server_->AddRoute(MakeRoute("/api/test/open", {"GET"}, "open", Access::kPublic,
                                [this](const HttpRequest&, HttpResponse& response) {
                                  calls_.fetch_add(1);
                                  response.Text(200, "open\n");
                                }));
    // Public outside /api/, GET and POST.
    server_->AddRoute(MakeRoute("/hooks/ping", {"GET", "POST"}, "", Access::kPublic,
                                [](const HttpRequest& request, HttpResponse& response) {
                                  response.Text(200,
                                                "pong " + std::string(request.method()) + "\n");
                                }));
    // Who called, as the update API records it in its journal, history and log.
    const RouteHandler who = [](const HttpRequest& request, HttpResponse& response) {
      response.Text(200, request.who() + "\n");
    };
    server_->AddRoute(MakeRoute("/api/test/who", {"GET"}, "who", Access::kAdmin, who));
    server_->AddRoute(MakeRoute("/hooks/who", {"GET"}, "", Access::kPublic, who));
    server_->Start();
    port_ = server_->bound_port();
    ASSERT_NE(port_, 0);
  }

  static std::string AddToken(std::string& tokens, const std::string& name, Role role) {
    const std::string token = *GenerateApiToken();
    TokenRecord record;
    record.name = name;
    record.role = role;
    record.hash = Sha256(token);
    tokens = AppendTokenLine(tokens, record);
    return token;
  }

  testing::HttpResponse Post(const std::string& path, const std::string& headers,
                             const std::string& body) const {
    return testing::Request(port_, "POST", path, headers, body);
  }

  uint64_t Count(const std::string& label, int status) const {
    return access_->metrics().responses(access_->metrics().HandlerIndex(label), status);
  }

  testing::TempDir dir_;
  SnapshotRing ring_;
  std::unique_ptr<AccessControl> access_;
  std::unique_ptr<HttpServer> server_;
  uint16_t port_ = 0;
  std::atomic<int> calls_{0};
  std::string admin_;
  std::string metrics_;
};

TEST_F(CustomRouteTest, PostWithAdminTokenReachesTheHandler) {
  const testing::HttpResponse response = Post(
      "/api/test/echo?dry_run=1", Bearer(admin_) + "X-Echo-Tag: v1.2\r\n", R"({"ref":"main"})");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  const json body = json::parse(response.body);
  EXPECT_EQ(body["method"], "POST");
  EXPECT_EQ(body["path"], "/api/test/echo");
  EXPECT_EQ(body["query"], "dry_run=1");
  EXPECT_EQ(body["body"], R"({"ref":"main"})");
  EXPECT_EQ(body["tag"], "v1.2");
  EXPECT_EQ(calls_.load(), 1);
  EXPECT_EQ(Count("echo", 200), 1u);
}

TEST_F(CustomRouteTest, AuthIsAppliedBeforeTheHandler) {
  const testing::HttpResponse missing = Post("/api/test/echo", "", "x");
  EXPECT_EQ(missing.status, 401);
  EXPECT_NE(missing.Header("www-authenticate"), "");
  EXPECT_EQ(json::parse(missing.body)["error"]["code"], "unauthorized");

  const testing::HttpResponse wrong =
      Post("/api/test/echo", Bearer("upk_" + std::string(43, 'A')), "x");
  EXPECT_EQ(wrong.status, 401);

  const testing::HttpResponse metrics_role = Post("/api/test/echo", Bearer(metrics_), "x");
  EXPECT_EQ(metrics_role.status, 403);
  EXPECT_EQ(json::parse(metrics_role.body)["error"]["code"], "forbidden");

  EXPECT_EQ(calls_.load(), 0);
  EXPECT_EQ(Count("echo", 401), 2u);
  EXPECT_EQ(Count("echo", 403), 1u);
}

TEST_F(CustomRouteTest, ApiRouteDeclaredPublicStillNeedsAdmin) {
  EXPECT_EQ(testing::Request(port_, "GET", "/api/test/open").status, 401);
  EXPECT_EQ(testing::Request(port_, "GET", "/api/test/open", Bearer(metrics_)).status, 403);
  EXPECT_EQ(calls_.load(), 0);
  const testing::HttpResponse ok = testing::Request(port_, "GET", "/api/test/open", Bearer(admin_));
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "open\n");
}

TEST_F(CustomRouteTest, HandlerKnowsWhoCalledFromWhere) {
  const testing::HttpResponse admin =
      testing::Request(port_, "GET", "/api/test/who", Bearer(admin_));
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.body, "token:admin from 127.0.0.1\n");
  // No trusted proxies are configured: a forwarded address is not believed.
  const testing::HttpResponse forwarded = testing::Request(
      port_, "GET", "/api/test/who", Bearer(admin_) + "X-Forwarded-For: 203.0.113.9\r\n");
  EXPECT_EQ(forwarded.body, "token:admin from 127.0.0.1\n");
  // A public route names nobody, even when a token is sent.
  EXPECT_EQ(testing::Request(port_, "GET", "/hooks/who").body, "anonymous from 127.0.0.1\n");
  EXPECT_EQ(testing::Request(port_, "GET", "/hooks/who", Bearer(admin_)).body,
            "anonymous from 127.0.0.1\n");
  // The caller of one request does not carry over into a later one.
  EXPECT_EQ(testing::Request(port_, "GET", "/api/test/who", Bearer(metrics_)).status, 403);
  EXPECT_EQ(testing::Request(port_, "GET", "/hooks/who").body, "anonymous from 127.0.0.1\n");
}

TEST_F(CustomRouteTest, WrongMethodIs405WithTheRouteAllow) {
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
    const testing::HttpResponse response =
        testing::Request(port_, method, "/api/test/echo", Bearer(admin_));
    EXPECT_EQ(response.status, 405) << method;
    EXPECT_EQ(response.Header("allow"), "POST") << method;
    if (std::string(method) != "HEAD") {
      EXPECT_EQ(json::parse(response.body)["error"]["code"], "method_not_allowed") << method;
    }
  }
  // Without credentials the answer is 401, not which methods exist.
  EXPECT_EQ(testing::Request(port_, "GET", "/api/test/echo").status, 401);
  EXPECT_EQ(testing::Request(port_, "PUT", "/hooks/ping").Header("allow"), "GET, HEAD, POST");
  EXPECT_EQ(calls_.load(), 0);
  EXPECT_EQ(Count("echo", 405), 4u);
}

TEST_F(CustomRouteTest, PublicRouteOutsideApiNeedsNoToken) {
  EXPECT_EQ(testing::Request(port_, "GET", "/hooks/ping").body, "pong GET\n");
  EXPECT_EQ(Post("/hooks/ping", "", "").body, "pong POST\n");
  const testing::HttpResponse head = testing::Request(port_, "HEAD", "/hooks/ping");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.Header("content-length"), "10");  // "pong HEAD\n", stated, not sent
  EXPECT_EQ(head.body, "");
  EXPECT_EQ(Count("/hooks/ping", 200), 3u);  // no label given: the path is the label
}

TEST_F(CustomRouteTest, BodyLimitIsAppliedBeforeTheHandler) {
  const testing::HttpResponse at_limit =
      Post("/api/test/echo", Bearer(admin_), std::string(kMaxBody, 'a'));
  ASSERT_EQ(at_limit.status, 200);
  EXPECT_EQ(json::parse(at_limit.body)["body"].get<std::string>().size(), kMaxBody);

  const testing::HttpResponse over =
      Post("/api/test/echo", Bearer(admin_), std::string(kMaxBody + 1, 'a'));
  EXPECT_EQ(over.status, 413);
  EXPECT_EQ(json::parse(over.body)["error"]["code"], "body_too_large");
  EXPECT_EQ(calls_.load(), 1);
}

TEST_F(CustomRouteTest, BuiltInRoutesAndUnknownPathsAreUnchanged) {
  EXPECT_EQ(testing::Request(port_, "GET", "/-/healthy").status, 200);
  EXPECT_EQ(testing::Request(port_, "GET", "/-/ready").status, 503);  // nothing sampled
  EXPECT_EQ(testing::Request(port_, "GET", "/hooks/ping/").status, 404);
  EXPECT_EQ(testing::Request(port_, "POST", "/api/test/nope").status, 401);
  EXPECT_EQ(testing::Request(port_, "POST", "/api/test/nope", Bearer(admin_)).status, 404);
  EXPECT_EQ(Count("other", 404), 2u);
}

TEST_F(CustomRouteTest, LabelsListEveryRouteThenOther) {
  const std::vector<std::string> labels = server_->handler_labels();
  const std::vector<std::string> expected = {
      "/",    "/metrics", "/api/system/health", "/-/healthy", "/-/ready",   "/api/openapi.yaml",
      "echo", "open",     "/hooks/ping",        "who",        "/hooks/who", "other"};
  EXPECT_EQ(labels, expected);
}

TEST_F(CustomRouteTest, BadRegistrationsAreRefused) {
  SnapshotRing ring;
  HttpServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  HttpServer server(options, ring);
  const auto handler = [](const HttpRequest&, HttpResponse& response) { response.Text(200, ""); };
  // A built-in path, a path twice, a label twice, the catch-all label.
  EXPECT_THROW(server.AddRoute(MakeRoute("/metrics", {"POST"}, "", Access::kAdmin, handler)),
               std::invalid_argument);
  server.AddRoute(MakeRoute("/x", {"GET"}, "x", Access::kAdmin, handler));
  EXPECT_THROW(server.AddRoute(MakeRoute("/x", {"POST"}, "x2", Access::kAdmin, handler)),
               std::invalid_argument);
  EXPECT_THROW(server.AddRoute(MakeRoute("/y", {"GET"}, "x", Access::kAdmin, handler)),
               std::invalid_argument);
  EXPECT_THROW(server.AddRoute(MakeRoute("/z", {"GET"}, "other", Access::kAdmin, handler)),
               std::invalid_argument);
  try {
    server.AddRoute(MakeRoute("/metrics", {"GET"}, "", Access::kAdmin, handler));
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "route \"/metrics\" is already registered");
  }
  // Routes are fixed once serving starts.
  EXPECT_THROW(server_->AddRoute(MakeRoute("/late", {"GET"}, "", Access::kAdmin, handler)),
               std::logic_error);
}

TEST_F(CustomRouteTest, RoutesBeyondTheCounterRoomAreRefused) {
  SnapshotRing ring;
  HttpServer server(HttpServerOptions{}, ring);
  const auto handler = [](const HttpRequest&, HttpResponse& response) { response.Text(200, ""); };
  size_t added = 0;
  for (;;) {
    try {
      server.AddRoute(
          MakeRoute("/r" + std::to_string(added), {"GET"}, "", Access::kAdmin, handler));
      ++added;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("no room"), std::string::npos) << e.what();
      break;
    }
    ASSERT_LT(added, 100u);
  }
  // Every route has its own label, and "other" stays last.
  EXPECT_EQ(server.handler_labels().size(), HttpMetrics::kMaxHandlers);
  EXPECT_EQ(server.handler_labels().back(), "other");
}

}  // namespace
}  // namespace upkeep
