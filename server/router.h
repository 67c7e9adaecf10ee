#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace upkeep {

// The endpoints upkeep serves. Routing is exact-path: no prefixes, no trailing-slash
// aliases, so what is served is exactly what the README lists.
enum class Route {
  kLanding,
  kMetrics,
  kHealth,
  kHealthy,
  kReady,
  kNotFound,          // no such path
  kMethodNotAllowed,  // the path exists, the method does not: 405 with Allow
};

struct RouteMatch {
  Route route = Route::kNotFound;
  std::string_view allow;  // for kMethodNotAllowed: the Allow header value
};

class Router {
 public:
  explicit Router(std::string telemetry_path);
  // Pure: method and the path part of the URI (no query string).
  RouteMatch Match(std::string_view method, std::string_view path) const;
  // Every routed path, in table order (the {handler} labels of upkeep_http_requests_total).
  std::vector<std::string> Paths() const;

 private:
  struct Entry {
    std::string path;
    Route route;
    std::string_view allow;
  };
  std::vector<Entry> entries_;
};

}  // namespace upkeep
