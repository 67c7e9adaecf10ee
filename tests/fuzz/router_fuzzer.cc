// Router::Add and Router::Match with an arbitrary telemetry path, method and request path
// (the path comes straight from the request line). Input: "<telemetry path>\n<method>\n<path>".

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_server.h"
#include "server/router.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

// The next '\n'-terminated piece of `rest` (all of it if there is no '\n').
std::string_view TakeLine(std::string_view& rest) {
  const size_t newline = rest.find('\n');
  const std::string_view line = rest.substr(0, newline);
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);
  return line;
}

void Ignore(const upkeep::HttpRequest&, upkeep::HttpResponse&) {}

upkeep::Route MakeRoute(std::string path, std::vector<std::string> methods) {
  upkeep::Route route;
  route.path = std::move(path);
  route.methods = std::move(methods);
  route.handler = Ignore;
  return route;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string telemetry_path(TakeLine(rest));
  const std::string_view method = TakeLine(rest);
  const std::string_view path = rest;

  // The table HttpServer builds, and a POST route as the composition root adds one. A
  // telemetry path that clashes with another route or is malformed is refused, and a refused
  // route leaves the table as it was.
  upkeep::Router router;
  for (const std::string& builtin : upkeep::HttpServer::BuiltInPaths(telemetry_path)) {
    const size_t before = router.size();
    const bool added = static_cast<bool>(router.Add(MakeRoute(builtin, {"GET"})));
    FUZZ_CHECK(router.size() == before + (added ? 1 : 0));
  }
  const bool post_added =
      static_cast<bool>(router.Add(MakeRoute("/api/system/update/execute", {"POST"})));

  const upkeep::RouteMatch match = router.Match(method, path);
  const std::vector<std::string> paths = router.Paths();
  const bool routed = std::find(paths.begin(), paths.end(), path) != paths.end();
  // Exact-path routing: only a listed path matches anything, and a listed one always does.
  FUZZ_CHECK((match.kind != upkeep::RouteMatch::Kind::kNotFound) == routed);
  FUZZ_CHECK((match.route != nullptr) == routed);
  if (match.route != nullptr) {
    FUZZ_CHECK(match.route->path == path);
    FUZZ_CHECK(match.index < router.size() && paths[match.index] == path);
    FUZZ_CHECK(!match.allow.empty());
    const auto& methods = match.route->methods;
    const bool listed = std::find(methods.begin(), methods.end(), method) != methods.end();
    FUZZ_CHECK((match.kind == upkeep::RouteMatch::Kind::kFound) == listed);
  }
  // GET routes take exactly GET and HEAD; the POST route exactly POST.
  if (match.kind == upkeep::RouteMatch::Kind::kFound) {
    if (post_added && path == "/api/system/update/execute") {
      FUZZ_CHECK(method == "POST");
    } else {
      FUZZ_CHECK(method == "GET" || method == "HEAD");
    }
  }
  return 0;
}
