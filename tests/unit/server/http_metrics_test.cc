#include "server/http_metrics.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

TEST(HttpMetricsTest, CountsByHandlerAndStatus) {
  HttpMetrics metrics;
  metrics.SetHandlerLabels({"/", "/api/system/health", "other"});
  EXPECT_EQ(metrics.HandlerIndex("/api/system/health"), 1u);
  EXPECT_EQ(metrics.HandlerIndex("/nope"), 2u);
  EXPECT_EQ(metrics.HandlerIndex("other"), 2u);
  metrics.CountResponse(1, 200);
  metrics.CountResponse(1, 200);
  metrics.CountResponse(1, 401);
  metrics.CountResponse(2, 404);
  metrics.CountResponse(2, 0);    // no response: ignored
  metrics.CountResponse(2, 600);  // out of range: ignored
  metrics.CountResponse(9, 200);  // no such handler: ignored
  metrics.CountAuthFailure(AuthFailure::kMissing);
  metrics.CountAuthFailure(AuthFailure::kLockedOut);
  metrics.CountAuthFailure(AuthFailure::kLockedOut);
  EXPECT_EQ(metrics.responses(1, 200), 2u);
  EXPECT_EQ(metrics.responses(1, 401), 1u);
  EXPECT_EQ(metrics.auth_failures(AuthFailure::kLockedOut), 2u);

  std::string text = "existing\n";
  metrics.AppendText(text);
  EXPECT_EQ(text,
            "existing\n"
            "# HELP upkeep_http_requests_total HTTP responses by handler and status code "
            "(scrapes of the telemetry path are not counted).\n"
            "# TYPE upkeep_http_requests_total counter\n"
            "upkeep_http_requests_total{handler=\"/api/system/health\",code=\"200\"} 2\n"
            "upkeep_http_requests_total{handler=\"/api/system/health\",code=\"401\"} 1\n"
            "upkeep_http_requests_total{handler=\"other\",code=\"404\"} 1\n"
            "# HELP upkeep_http_auth_failures_total Requests to authenticated endpoints that "
            "were refused, by reason.\n"
            "# TYPE upkeep_http_auth_failures_total counter\n"
            "upkeep_http_auth_failures_total{reason=\"missing\"} 1\n"
            "upkeep_http_auth_failures_total{reason=\"malformed\"} 0\n"
            "upkeep_http_auth_failures_total{reason=\"unknown_token\"} 0\n"
            "upkeep_http_auth_failures_total{reason=\"invalid_jwt\"} 0\n"
            "upkeep_http_auth_failures_total{reason=\"forbidden\"} 0\n"
            "upkeep_http_auth_failures_total{reason=\"locked_out\"} 2\n");
}

TEST(HttpMetricsTest, LabelValuesAreEscaped) {
  HttpMetrics metrics;
  metrics.SetHandlerLabels({"/odd\"path\\", "other"});
  metrics.CountResponse(0, 200);
  std::string text;
  metrics.AppendText(text);
  EXPECT_NE(text.find("handler=\"/odd\\\"path\\\\\",code=\"200\"} 1\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace upkeep
