#include "server/http_metrics.h"

namespace upkeep {
namespace {

// Prometheus text format label value escaping: backslash, double quote, newline.
void AppendLabelValue(std::string& out, std::string_view value) {
  for (const char ch : value) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out.push_back(ch);
    }
  }
}

}  // namespace

HttpMetrics::HttpMetrics() : labels_{"other"} {}

void HttpMetrics::SetHandlerLabels(std::vector<std::string> labels) {
  if (labels.empty()) labels.emplace_back("other");
  if (labels.size() > kMaxHandlers) labels.resize(kMaxHandlers);
  labels_ = std::move(labels);
}

size_t HttpMetrics::HandlerIndex(std::string_view label) const {
  for (size_t i = 0; i + 1 < labels_.size(); ++i) {
    if (labels_[i] == label) return i;
  }
  return labels_.size() - 1;
}

void HttpMetrics::CountResponse(size_t handler, int status) {
  if (handler >= labels_.size() || status < kMinStatus || status >= kMinStatus + kStatusCount) {
    return;
  }
  responses_[handler][static_cast<size_t>(status - kMinStatus)].fetch_add(
      1, std::memory_order_relaxed);
}

void HttpMetrics::CountAuthFailure(AuthFailure reason) {
  auth_failures_[static_cast<size_t>(reason)].fetch_add(1, std::memory_order_relaxed);
}

uint64_t HttpMetrics::responses(size_t handler, int status) const {
  if (handler >= labels_.size() || status < kMinStatus || status >= kMinStatus + kStatusCount) {
    return 0;
  }
  return responses_[handler][static_cast<size_t>(status - kMinStatus)].load(
      std::memory_order_relaxed);
}

uint64_t HttpMetrics::auth_failures(AuthFailure reason) const {
  return auth_failures_[static_cast<size_t>(reason)].load(std::memory_order_relaxed);
}

void HttpMetrics::AppendText(std::string& out) const {
  out +=
      "# HELP upkeep_http_requests_total HTTP responses by handler and status code (scrapes of "
      "the telemetry path are not counted).\n"
      "# TYPE upkeep_http_requests_total counter\n";
  for (size_t h = 0; h < labels_.size(); ++h) {
    for (int s = 0; s < kStatusCount; ++s) {
      const uint64_t count = responses_[h][static_cast<size_t>(s)].load(std::memory_order_relaxed);
      if (count == 0) continue;
      out += "upkeep_http_requests_total{handler=\"";
      AppendLabelValue(out, labels_[h]);
      out += "\",code=\"";
      out += std::to_string(kMinStatus + s);
      out += "\"} ";
      out += std::to_string(count);
      out.push_back('\n');
    }
  }
  out +=
      "# HELP upkeep_http_auth_failures_total Requests to authenticated endpoints that were "
      "refused, by reason.\n"
      "# TYPE upkeep_http_auth_failures_total counter\n";
  for (size_t r = 0; r < kAuthFailureKinds; ++r) {
    out += "upkeep_http_auth_failures_total{reason=\"";
    out += AuthFailureLabel(static_cast<AuthFailure>(r));
    out += "\"} ";
    out += std::to_string(auth_failures_[r].load(std::memory_order_relaxed));
    out.push_back('\n');
  }
}

}  // namespace upkeep
