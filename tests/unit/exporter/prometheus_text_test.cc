// AppendPrometheusText against prometheus-cpp's own TextSerializer (the reference it
// replaces on the sampler's path), and the format's escaping rules with literal text.

#include "exporter/prometheus_text.h"

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace upkeep {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

std::string Reference(const std::vector<MetricFamily>& families) {
  std::ostringstream stream;
  prometheus::TextSerializer().Serialize(stream, families);
  return stream.str();
}

std::string Ours(const std::vector<MetricFamily>& families) {
  std::string out;
  AppendPrometheusText(families, out);
  return out;
}

ClientMetric GaugeOf(double value, std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  return metric;
}

TEST(PrometheusTextTest, MatchesTextSerializerOnEveryKindOfDouble) {
  MetricFamily gauge{"g", "A gauge.", MetricType::Gauge, {}};
  for (const double value : {0.0,
                             -0.0,
                             1.0,
                             -1.0,
                             1.27,
                             0.1,
                             1714557600.0,
                             2.1e10,
                             123456789012345678.0,
                             1e-7,
                             3.14159265358979,
                             1e300,
                             5e-324,
                             0.000123,
                             1234567.125,
                             4.2e15,
                             1e16,
                             1e17,
                             std::numeric_limits<double>::max(),
                             std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity()}) {
    gauge.metric.push_back(GaugeOf(value));
  }
  // And random bit patterns: every exponent and mantissa shape %.16g can meet.
  std::mt19937_64 random(20261128);
  for (int i = 0; i < 20000; ++i) gauge.metric.push_back(GaugeOf(std::bit_cast<double>(random())));
  ASSERT_EQ(Ours({gauge}), Reference({gauge}));
}

TEST(PrometheusTextTest, MatchesTextSerializerOnEveryMetricType) {
  std::vector<MetricFamily> families;
  MetricFamily counter{"upkeep_cpu_seconds_total", "CPU time.", MetricType::Counter, {}};
  ClientMetric user;
  user.label = {{"mode", "user"}};
  user.counter.value = 1234.56;
  counter.metric.push_back(user);
  families.push_back(counter);

  MetricFamily untyped{"u", "", MetricType::Untyped, {}};  // no HELP line at all
  ClientMetric stamped;
  stamped.untyped.value = 7;
  stamped.timestamp_ms = 1700000000123;
  untyped.metric.push_back(stamped);
  stamped.timestamp_ms = -5;
  untyped.metric.push_back(stamped);
  families.push_back(untyped);

  MetricFamily summary{"s", "A summary.", MetricType::Summary, {}};
  ClientMetric quantiles;
  quantiles.label = {{"k", "v"}};
  quantiles.summary.sample_count = 3;
  quantiles.summary.sample_sum = 1.5;
  quantiles.summary.quantile = {{0.5, 1}, {0.99, 2.5}};
  summary.metric.push_back(quantiles);
  families.push_back(summary);

  MetricFamily histogram{"h", "A histogram.", MetricType::Histogram, {}};
  ClientMetric buckets;
  buckets.histogram.sample_count = 4;
  buckets.histogram.sample_sum = 9;
  buckets.histogram.bucket = {{1, 0.1}, {3, 1}};
  histogram.metric.push_back(buckets);  // +Inf bucket added
  buckets.histogram.bucket.push_back({4, std::numeric_limits<double>::infinity()});
  histogram.metric.push_back(buckets);  // +Inf bucket already there
  families.push_back(histogram);

  families.push_back(MetricFamily{"empty", "No series.", MetricType::Gauge, {}});
  ASSERT_EQ(Ours(families), Reference(families));
}

TEST(PrometheusTextTest, EscapesLabelValuesLikeTextSerializer) {
  const MetricFamily family{
      "upkeep_filesystem_size_bytes",
      "Filesystem size.",
      MetricType::Gauge,
      {GaugeOf(1, {{"mountpoint", "/mnt/a \"quoted\" \\ dir\nx"}, {"device", ""}})}};
  EXPECT_EQ(Ours({family}), Reference({family}));
  EXPECT_EQ(Ours({family}),
            "# HELP upkeep_filesystem_size_bytes Filesystem size.\n"
            "# TYPE upkeep_filesystem_size_bytes gauge\n"
            "upkeep_filesystem_size_bytes{mountpoint=\"/mnt/a \\\"quoted\\\" \\\\ dir\\nx\","
            "device=\"\"} 1\n");
}

// The one deliberate difference: TextSerializer writes HELP raw, so a newline in it would
// end the comment and leave the rest as a broken sample line.
TEST(PrometheusTextTest, EscapesBackslashAndNewlineInHelp) {
  const MetricFamily family{"m", "one\\two\nthree \"quoted\"", MetricType::Gauge, {GaugeOf(2)}};
  EXPECT_EQ(Ours({family}),
            "# HELP m one\\\\two\\nthree \"quoted\"\n"
            "# TYPE m gauge\n"
            "m 2\n");
}

TEST(PrometheusTextTest, AppendsToWhatIsAlreadyThere) {
  std::string out = "# before\n";
  AppendPrometheusText({MetricFamily{"m", "", MetricType::Gauge, {GaugeOf(0.5)}}}, out);
  EXPECT_EQ(out, "# before\n# TYPE m gauge\nm 0.5\n");
}

}  // namespace
}  // namespace upkeep
