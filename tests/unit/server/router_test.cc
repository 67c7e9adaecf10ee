#include "server/router.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/ip_address.h"
#include "server/http_response.h"

namespace upkeep {
namespace {

void Ignore(const HttpRequest&, HttpResponse&) {}

Route MakeRoute(std::string path, std::vector<std::string> methods, std::string label = "") {
  Route route;
  route.path = std::move(path);
  route.methods = std::move(methods);
  route.label = std::move(label);
  route.handler = Ignore;
  return route;
}

// The table HttpServer builds, and two update routes as the composition root adds them.
Router MakeRouter() {
  Router router;
  for (const char* path : {"/", "/metrics", "/api/system/health", "/-/healthy", "/-/ready"}) {
    EXPECT_TRUE(router.Add(MakeRoute(path, {"GET"}))) << path;
  }
  EXPECT_TRUE(router.Add(MakeRoute("/api/system/update/check", {"GET"}, "update_check")));
  EXPECT_TRUE(router.Add(MakeRoute("/api/system/update/execute", {"POST"}, "update_execute")));
  return router;
}

TEST(RouterTest, GetAndHeadReachEveryGetRoute) {
  const Router router = MakeRouter();
  const std::vector<std::string> paths = {"/",          "/metrics", "/api/system/health",
                                          "/-/healthy", "/-/ready", "/api/system/update/check"};
  for (const std::string& path : paths) {
    for (const char* method : {"GET", "HEAD"}) {
      const RouteMatch match = router.Match(method, path);
      EXPECT_EQ(match.kind, RouteMatch::Kind::kFound) << method << " " << path;
      ASSERT_NE(match.route, nullptr) << method << " " << path;
      EXPECT_EQ(match.route->path, path);
      EXPECT_EQ(match.allow, "GET, HEAD") << method << " " << path;
    }
  }
}

TEST(RouterTest, OtherMethodsOnGetRoutesAre405WithAllow) {
  const Router router = MakeRouter();
  for (const char* path : {"/", "/metrics", "/api/system/health", "/-/healthy", "/-/ready"}) {
    for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
      const RouteMatch match = router.Match(method, path);
      EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed) << method << " " << path;
      ASSERT_NE(match.route, nullptr);
      EXPECT_EQ(match.route->path, path);
      EXPECT_EQ(match.allow, "GET, HEAD") << method << " " << path;
    }
  }
}

TEST(RouterTest, PostOnlyRouteAllowsExactlyPost) {
  const Router router = MakeRouter();
  EXPECT_EQ(router.Match("POST", "/api/system/update/execute").kind, RouteMatch::Kind::kFound);
  // HEAD comes only with GET.
  for (const char* method : {"GET", "HEAD", "PUT", "DELETE"}) {
    const RouteMatch match = router.Match(method, "/api/system/update/execute");
    EXPECT_EQ(match.kind, RouteMatch::Kind::kMethodNotAllowed) << method;
    EXPECT_EQ(match.allow, "POST") << method;
  }
}

TEST(RouterTest, AllowListsTheRouteMethodsInOrderWithHeadAfterGet) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("/a", {"POST", "GET", "DELETE"})));
  ASSERT_TRUE(router.Add(MakeRoute("/b", {"HEAD"})));
  ASSERT_TRUE(router.Add(MakeRoute("/c", {"HEAD", "GET"})));
  EXPECT_EQ(router.Match("PUT", "/a").allow, "POST, GET, HEAD, DELETE");
  EXPECT_EQ(router.Match("HEAD", "/a").kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.Match("DELETE", "/a").kind, RouteMatch::Kind::kFound);
  // A HEAD-only route does not take GET.
  EXPECT_EQ(router.Match("GET", "/b").kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(router.Match("GET", "/b").allow, "HEAD");
  // HEAD given already is not added twice.
  EXPECT_EQ(router.Match("POST", "/c").allow, "HEAD, GET");
}

TEST(RouterTest, MethodsAreCaseSensitive) {
  const Router router = MakeRouter();
  const RouteMatch get = router.Match("get", "/metrics");
  EXPECT_EQ(get.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(get.allow, "GET, HEAD");
  EXPECT_EQ(router.Match("post", "/api/system/update/execute").kind,
            RouteMatch::Kind::kMethodNotAllowed);
}

TEST(RouterTest, UnknownPathsAre404) {
  const Router router = MakeRouter();
  for (const char* path :
       {"/nope", "/metric", "/metricsx", "/api", "/api/system", "/api/system/health/x", "/-/",
        "/METRICS", "", "//", "/api/system/update", "/api/system/update/check/", "/metrics?x=1"}) {
    for (const char* method : {"GET", "HEAD", "POST"}) {
      const RouteMatch match = router.Match(method, path);
      EXPECT_EQ(match.kind, RouteMatch::Kind::kNotFound) << method << " " << path;
      EXPECT_EQ(match.route, nullptr) << method << " " << path;
      EXPECT_TRUE(match.allow.empty()) << method << " " << path;
    }
  }
}

TEST(RouterTest, TrailingSlashIsNotAnAlias) {
  const Router router = MakeRouter();
  for (const char* path : {"/metrics/", "/api/system/health/", "/-/healthy/", "/-/ready/"}) {
    EXPECT_EQ(router.Match("GET", path).kind, RouteMatch::Kind::kNotFound) << path;
    EXPECT_EQ(router.Match("POST", path).kind, RouteMatch::Kind::kNotFound) << path;
  }
}

TEST(RouterTest, DuplicatePathIsRefusedAndTheTableKept) {
  Router router = MakeRouter();
  const size_t before = router.size();
  const Status again = router.Add(MakeRoute("/metrics", {"POST"}, "other_metrics"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error(), "route \"/metrics\" is already registered");
  EXPECT_EQ(router.size(), before);
  // The first registration still answers as before.
  EXPECT_EQ(router.Match("GET", "/metrics").kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.Match("POST", "/metrics").kind, RouteMatch::Kind::kMethodNotAllowed);
}

TEST(RouterTest, DuplicateLabelIsRefused) {
  Router router = MakeRouter();
  const Status clash = router.Add(MakeRoute("/api/system/update/log", {"GET"}, "update_check"));
  ASSERT_FALSE(clash);
  EXPECT_EQ(clash.error(),
            "route \"/api/system/update/log\": handler label \"update_check\" is already used by "
            "\"/api/system/update/check\"");
  // A path is the default label, so a label may not take another route's path either.
  EXPECT_FALSE(router.Add(MakeRoute("/x", {"GET"}, "/metrics")));
}

TEST(RouterTest, MalformedRoutesAreRefused) {
  Router router;
  EXPECT_EQ(router.Add(MakeRoute("metrics", {"GET"})).error(),
            "route \"metrics\": path must start with \"/\"");
  EXPECT_FALSE(router.Add(MakeRoute("", {"GET"})));
  for (const char* path : {"/a b", "/a?b", "/a#b", "/a\tb", "/a\x7f"}) {
    EXPECT_FALSE(router.Add(MakeRoute(path, {"GET"}))) << path;
  }
  EXPECT_EQ(router.Add(MakeRoute("/a", {})).error(), "route \"/a\": no methods");
  EXPECT_EQ(router.Add(MakeRoute("/a", {"get"})).error(),
            "route \"/a\": method \"get\" is not an upper-case method name");
  EXPECT_FALSE(router.Add(MakeRoute("/a", {""})));
  EXPECT_FALSE(router.Add(MakeRoute("/a", {"GET "})));
  EXPECT_EQ(router.Add(MakeRoute("/a", {"POST", "POST"})).error(),
            "route \"/a\": method POST is given twice");
  Route no_handler = MakeRoute("/a", {"GET"});
  no_handler.handler = nullptr;
  EXPECT_EQ(router.Add(std::move(no_handler)).error(), "route \"/a\": no handler");
  EXPECT_EQ(router.size(), 0u);
}

TEST(RouterTest, LabelsArePathsUnlessGivenInTableOrder) {
  const Router router = MakeRouter();
  EXPECT_EQ(router.Labels(),
            (std::vector<std::string>{"/", "/metrics", "/api/system/health", "/-/healthy",
                                      "/-/ready", "update_check", "update_execute"}));
  EXPECT_EQ(router.Paths(), (std::vector<std::string>{
                                "/", "/metrics", "/api/system/health", "/-/healthy", "/-/ready",
                                "/api/system/update/check", "/api/system/update/execute"}));
  // RouteMatch::index is the label's index.
  for (size_t i = 0; i < router.Paths().size(); ++i) {
    const RouteMatch match = router.Match("OPTIONS", router.Paths()[i]);
    EXPECT_EQ(match.index, i);
  }
}

TEST(RouterTest, AccessAndHandlerAreKeptWithTheRoute) {
  Router router;
  int calls = 0;
  Route route = MakeRoute("/api/echo", {"POST"});
  route.access = Access::kMetrics;
  route.handler = [&calls](const HttpRequest& request, HttpResponse&) {
    EXPECT_EQ(request.body(), "hello");
    EXPECT_EQ(request.query(), "a=1");
    EXPECT_FALSE(request.Header("Authorization"));  // no connection, no headers
    ++calls;
  };
  ASSERT_TRUE(router.Add(std::move(route)));
  // A route added without saying gets admin: the safe default.
  ASSERT_TRUE(router.Add(MakeRoute("/x", {"GET"})));
  EXPECT_EQ(router.Match("GET", "/x").route->access, Access::kAdmin);

  const RouteMatch match = router.Match("POST", "/api/echo");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(match.route->access, Access::kMetrics);
  const HttpRequest request(nullptr, "POST", "/api/echo", "a=1", "hello");
  HttpResponse response(nullptr, false);
  match.route->handler(request, response);
  EXPECT_EQ(calls, 1);
  EXPECT_FALSE(response.sent());
}

TEST(RouterTest, RequestSaysWhoCalledFromWhere) {
  const auto request = [](std::string_view caller, std::string_view address) {
    return HttpRequest(nullptr, "POST", "/api/x", "", "", caller, *IpAddress::Parse(address));
  };
  EXPECT_EQ(request("token:deploy-bot", "127.0.0.1").who(), "token:deploy-bot from 127.0.0.1");
  EXPECT_EQ(request("token:deploy-bot", "127.0.0.1").caller(), "token:deploy-bot");
  EXPECT_EQ(request("jwt:-", "::1").who(), "jwt:- from ::1");
  EXPECT_EQ(request("", "192.0.2.7").who(), "anonymous from 192.0.2.7");
  EXPECT_EQ(request("", "192.0.2.7").client_address(), "192.0.2.7");
  // An IPv4 peer on a dual-stack socket reads as plain IPv4.
  EXPECT_EQ(request("", "::ffff:10.1.2.3").client_address(), "10.1.2.3");
  // A JWT subject is any bytes: who() cannot be made to break or forge a log line.
  const std::string forged = "jwt:eve\r\n2024-01-01 [info] token:admin\x7f\xc3\xa9";
  EXPECT_EQ(request(forged, "2001:db8::1").who(),
            "jwt:eve??2024-01-01 [info] token:admin??? from 2001:db8::1");
  EXPECT_EQ(request(forged, "2001:db8::1").caller(), forged);  // caller() stays as sent
  EXPECT_EQ(request("jwt:" + std::string(300, 'a'), "127.0.0.1").who(),
            "jwt:" + std::string(196, 'a') + "... from 127.0.0.1");
}

TEST(RouterTest, CustomTelemetryPath) {
  Router router;
  ASSERT_TRUE(router.Add(MakeRoute("/internal/metrics", {"GET"})));
  EXPECT_EQ(router.Match("GET", "/internal/metrics").kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(router.Match("GET", "/internal").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Match("GET", "/metrics").kind, RouteMatch::Kind::kNotFound);
}

}  // namespace
}  // namespace upkeep
