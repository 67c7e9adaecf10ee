// Router::Match with an arbitrary telemetry path, method and request path (the path comes
// straight from the request line). Input: "<telemetry path>\n<method>\n<path>".

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  const std::string telemetry_path(TakeLine(rest));
  const std::string_view method = TakeLine(rest);
  const std::string_view path = rest;

  const upkeep::Router router(telemetry_path);
  const upkeep::RouteMatch match = router.Match(method, path);
  const std::vector<std::string> paths = router.Paths();
  const bool routed = std::find(paths.begin(), paths.end(), path) != paths.end();
  // Exact-path routing: only a listed path matches anything, and a listed one always does.
  FUZZ_CHECK((match.route != upkeep::Route::kNotFound) == routed);
  if (match.route == upkeep::Route::kMethodNotAllowed) FUZZ_CHECK(!match.allow.empty());
  if (match.route == upkeep::Route::kMetrics) FUZZ_CHECK(path == telemetry_path);
  return 0;
}
