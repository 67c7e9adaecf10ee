#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authorization.h"

namespace upkeep {

// Request counters updated on the request threads: fixed arrays of relaxed atomics, no lock,
// no allocation. The sampler renders them into each snapshot's /metrics text (AppendText), so
// a scrape still only copies bytes.
class HttpMetrics {
 public:
  // Room for the built-in routes, the ones the composition root adds and "other"
  // (32 x 500 counters: 128 KB).
  static constexpr size_t kMaxHandlers = 32;

  HttpMetrics();
  HttpMetrics(const HttpMetrics&) = delete;
  HttpMetrics& operator=(const HttpMetrics&) = delete;

  // The {handler} label of each handler index (at most kMaxHandlers, the last ones dropped).
  // Call before requests are served and before the sampler renders (HttpServer sets them as
  // routes are added, before anything starts).
  void SetHandlerLabels(std::vector<std::string> labels);
  // The index of `label`, or of the last label (the catch-all) when there is none such.
  size_t HandlerIndex(std::string_view label) const;

  // Counts one response; a status outside 100-599 is ignored.
  void CountResponse(size_t handler, int status);
  void CountAuthFailure(AuthFailure reason);

  uint64_t responses(size_t handler, int status) const;
  uint64_t auth_failures(AuthFailure reason) const;

  // Appends upkeep_http_requests_total (the non-zero series) and
  // upkeep_http_auth_failures_total (every reason) in the Prometheus text format.
  void AppendText(std::string& out) const;

 private:
  static constexpr int kMinStatus = 100;
  static constexpr int kStatusCount = 500;  // 100-599

  std::vector<std::string> labels_;
  std::array<std::array<std::atomic<uint64_t>, kStatusCount>, kMaxHandlers> responses_{};
  std::array<std::atomic<uint64_t>, kAuthFailureKinds> auth_failures_{};
};

}  // namespace upkeep
