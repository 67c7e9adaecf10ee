#include "server/router.h"

namespace upkeep {
namespace {
constexpr std::string_view kGetHead = "GET, HEAD";
}  // namespace

Router::Router(std::string telemetry_path)
    : entries_{{"/", Route::kLanding, kGetHead},
               {std::move(telemetry_path), Route::kMetrics, kGetHead},
               {"/api/system/health", Route::kHealth, kGetHead},
               {"/-/healthy", Route::kHealthy, kGetHead},
               {"/-/ready", Route::kReady, kGetHead}} {}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  for (const Entry& entry : entries_) {
    if (entry.path != path) continue;
    // Every route so far is read-only. (Update endpoints will bring POST.)
    if (method == "GET" || method == "HEAD") return {entry.route, {}};
    return {Route::kMethodNotAllowed, entry.allow};
  }
  return {Route::kNotFound, {}};
}

std::vector<std::string> Router::Paths() const {
  std::vector<std::string> paths;
  for (const Entry& entry : entries_) paths.push_back(entry.path);
  return paths;
}

}  // namespace upkeep
