// HttpResponse and WriteResponse write to a CivetWeb connection: tested through a real
// in-process HttpServer on 127.0.0.1 with routes that write each kind of response.

#include "server/http_response.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "exporter/snapshot_ring.h"
#include "server/http_server.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

Route PublicRoute(std::string path, RouteHandler handler) {
  Route route;
  route.path = std::move(path);
  route.methods = {"GET", "POST"};
  route.access = Access::kPublic;
  route.handler = std::move(handler);
  return route;
}

// One server for the suite: stopping CivetWeb takes a while (its threads notice on a poll
// timeout), and the routes hold no state.
class HttpResponseTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    // A kept-alive connection is closed soon after the response, so a read to the end ends.
    options.keep_alive_timeout = 200ms;
    ring_ = std::make_unique<SnapshotRing>();
    server_ = std::make_unique<HttpServer>(options, *ring_);
    server_->AddRoute(PublicRoute("/send", [](const HttpRequest&, HttpResponse& response) {
      response.Send(201, "text/csv", "a,b\n1,2\n", "X-Extra: yes\r\nX-Other: 2\r\n");
    }));
    server_->AddRoute(PublicRoute("/json", [](const HttpRequest&, HttpResponse& response) {
      response.Json(200, R"({"ok":true})");
    }));
    server_->AddRoute(PublicRoute("/text", [](const HttpRequest&, HttpResponse& response) {
      response.Text(202, "accepted\n", "Retry-After: 5\r\n");
    }));
    server_->AddRoute(PublicRoute("/error", [](const HttpRequest&, HttpResponse& response) {
      response.Error(409, "jobs_active", "2 jobs are running \"now\"\n\xff", "X-Why: test\r\n");
    }));
    server_->AddRoute(PublicRoute("/twice", [](const HttpRequest&, HttpResponse& response) {
      response.Text(200, "first\n");
      EXPECT_TRUE(response.sent());
      EXPECT_EQ(response.status(), 200);
      response.Error(500, "second", "dropped");
      EXPECT_EQ(response.status(), 200);
    }));
    server_->AddRoute(PublicRoute("/silent", [](const HttpRequest&, HttpResponse&) {}));
    server_->AddRoute(PublicRoute("/throws", [](const HttpRequest&, HttpResponse&) {
      throw std::runtime_error("the handler broke");
    }));
    server_->Start();
    port_ = server_->bound_port();
  }

  static void TearDownTestSuite() {
    server_.reset();
    ring_.reset();
  }

  void SetUp() override { ASSERT_NE(port_, 0); }

  static testing::HttpResponse Get(const std::string& path, const std::string& method = "GET") {
    return testing::Request(port_, method, path);
  }

  static inline std::unique_ptr<SnapshotRing> ring_;
  static inline std::unique_ptr<HttpServer> server_;
  static inline uint16_t port_ = 0;
};

TEST_F(HttpResponseTest, SendWritesStatusTypeLengthExtraHeadersAndBody) {
  const testing::HttpResponse response = Get("/send");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.Header("content-type"), "text/csv");
  EXPECT_EQ(response.Header("content-length"), "8");
  EXPECT_EQ(response.Header("x-extra"), "yes");
  EXPECT_EQ(response.Header("x-other"), "2");
  EXPECT_EQ(response.body, "a,b\n1,2\n");
}

TEST_F(HttpResponseTest, HeadStatesTheLengthWithoutTheBody) {
  const testing::HttpResponse response = Get("/send", "HEAD");
  EXPECT_EQ(response.status, 201);
  EXPECT_EQ(response.Header("content-length"), "8");
  EXPECT_EQ(response.body, "");
}

TEST_F(HttpResponseTest, JsonIsNeverCached) {
  const testing::HttpResponse response = Get("/json");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  EXPECT_EQ(response.Header("x-content-type-options"), "nosniff");
  EXPECT_EQ(response.body, R"({"ok":true})");
}

TEST_F(HttpResponseTest, TextIsUtf8PlainText) {
  const testing::HttpResponse response = Get("/text");
  EXPECT_EQ(response.status, 202);
  EXPECT_EQ(response.Header("content-type"), "text/plain; charset=utf-8");
  EXPECT_EQ(response.Header("retry-after"), "5");
  EXPECT_EQ(response.body, "accepted\n");
}

TEST_F(HttpResponseTest, ErrorIsTheJsonErrorBodyAlwaysValid) {
  const testing::HttpResponse response = Get("/error");
  EXPECT_EQ(response.status, 409);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  EXPECT_EQ(response.Header("x-why"), "test");
  const nlohmann::json body = nlohmann::json::parse(response.body);  // the 0xff was replaced
  EXPECT_EQ(body["error"]["code"], "jobs_active");
  EXPECT_EQ(body["error"]["message"], "2 jobs are running \"now\"\n\xEF\xBF\xBD");
  EXPECT_EQ(body.size(), 1u);
  EXPECT_EQ(body["error"].size(), 2u);
}

TEST_F(HttpResponseTest, OnlyTheFirstWriteIsSent) {
  const testing::HttpResponse response = Get("/twice");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "first\n");
}

TEST_F(HttpResponseTest, HandlerWritingNothingOrThrowingGets500) {
  for (const char* path : {"/silent", "/throws"}) {
    const testing::HttpResponse response = Get(path);
    EXPECT_EQ(response.status, 500) << path;
    const nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["code"], "internal_error") << path;
    // The exception's text stays in the log.
    EXPECT_EQ(response.body.find("broke"), std::string::npos) << path;
  }
  // The server goes on serving.
  EXPECT_EQ(Get("/json").status, 200);
}

TEST_F(HttpResponseTest, ConnectionCloseFollowsTheClient) {
  // HTTP/1.1 keeps the connection unless the client says close.
  const testing::HttpResponse kept =
      testing::SendRaw(port_, "GET /json HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(kept.status, 200);
  EXPECT_EQ(kept.Header("connection"), "");
  const testing::HttpResponse closed =
      testing::SendRaw(port_, "GET /json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(closed.Header("connection"), "close");
  // HTTP/1.0 closes unless it asks for keep-alive.
  const testing::HttpResponse old = testing::SendRaw(port_, "GET /json HTTP/1.0\r\n\r\n");
  EXPECT_EQ(old.status, 200);
  EXPECT_EQ(old.Header("connection"), "close");
  const testing::HttpResponse old_kept =
      testing::SendRaw(port_, "GET /json HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  EXPECT_EQ(old_kept.status, 200);
  EXPECT_EQ(old_kept.Header("connection"), "");
}

TEST(JsonErrorBodyTest, ShapeAndEscaping) {
  EXPECT_EQ(JsonErrorBody("not_found", "no such endpoint"),
            R"({"error":{"code":"not_found","message":"no such endpoint"}})");
  EXPECT_EQ(JsonErrorBody("x", "a \"quoted\"\\ line\n"),
            R"({"error":{"code":"x","message":"a \"quoted\"\\ line\n"}})");
  // Invalid UTF-8 becomes U+FFFD instead of an exception or invalid JSON.
  EXPECT_EQ(JsonErrorBody("x", "\xc3"),
            "{\"error\":{\"code\":\"x\",\"message\":\"\xEF\xBF\xBD\"}}");
}

TEST(StatusTextTest, KnownAndUnknownCodes) {
  EXPECT_EQ(StatusText(200), "OK");
  EXPECT_EQ(StatusText(201), "Created");
  EXPECT_EQ(StatusText(202), "Accepted");
  EXPECT_EQ(StatusText(401), "Unauthorized");
  EXPECT_EQ(StatusText(404), "Not Found");
  EXPECT_EQ(StatusText(405), "Method Not Allowed");
  EXPECT_EQ(StatusText(413), "Content Too Large");
  EXPECT_EQ(StatusText(431), "Request Header Fields Too Large");
  EXPECT_EQ(StatusText(503), "Service Unavailable");
  EXPECT_EQ(StatusText(299), "Unknown");
}

}  // namespace
}  // namespace upkeep
