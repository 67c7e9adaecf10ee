#include "exporter/prometheus_text.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

namespace upkeep {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;
using prometheus::MetricType;

// %.16g in the C locale (TextSerializer's precision: max_digits10 - 1), "Nan", "+Inf", "-Inf".
void AppendValue(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "Nan";
  } else if (std::isinf(value)) {
    out += value < 0 ? "-Inf" : "+Inf";
  } else {
    char digits[32];  // sign, 16 digits, point, "e-308": 24 at most
    const auto [end, ec] =
        std::to_chars(digits, digits + sizeof digits, value, std::chars_format::general,
                      std::numeric_limits<double>::max_digits10 - 1);
    out.append(digits, end);
  }
}

void AppendInteger(std::string& out, uint64_t value) {
  char digits[24];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

// Backslash-escapes each of `special` (and writes '\n' as "\n").
void AppendEscaped(std::string& out, std::string_view text, std::string_view special) {
  for (const char c : text) {
    if (special.find(c) == std::string_view::npos) {
      out.push_back(c);
    } else {
      out.push_back('\\');
      out.push_back(c == '\n' ? 'n' : c);
    }
  }
}

void AppendLabelValue(std::string& out, std::string_view value) {
  AppendEscaped(out, value, "\\\"\n");
}

// name{labels,extra="value"} and the space before the value. `extra_value` is written as
// a label value (escaped) when it is a string, as a number otherwise.
void AppendHead(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                std::string_view suffix = {}, std::string_view extra_name = {},
                std::string_view extra_text = {}, const double* extra_number = nullptr) {
  out += family.name;
  out += suffix;
  if (!metric.label.empty() || !extra_name.empty()) {
    out.push_back('{');
    const char* separator = "";
    for (const ClientMetric::Label& label : metric.label) {
      out += separator;
      out += label.name;
      out += "=\"";
      AppendLabelValue(out, label.value);
      out.push_back('"');
      separator = ",";
    }
    if (!extra_name.empty()) {
      out += separator;
      out += extra_name;
      out += "=\"";
      if (extra_number != nullptr) {
        AppendValue(out, *extra_number);
      } else {
        AppendLabelValue(out, extra_text);
      }
      out.push_back('"');
    }
    out.push_back('}');
  }
  out.push_back(' ');
}

void AppendTail(std::string& out, const ClientMetric& metric) {
  if (metric.timestamp_ms != 0) {
    out.push_back(' ');
    const int64_t ms = metric.timestamp_ms;
    if (ms < 0) out.push_back('-');
    AppendInteger(out, ms < 0 ? 0 - static_cast<uint64_t>(ms) : static_cast<uint64_t>(ms));
  }
  out.push_back('\n');
}

void AppendSample(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                  double value) {
  AppendHead(out, family, metric);
  AppendValue(out, value);
  AppendTail(out, metric);
}

// The _count and _sum lines that summaries and histograms begin with.
void AppendCountAndSum(std::string& out, const MetricFamily& family, const ClientMetric& metric,
                       uint64_t count, double sum) {
  AppendHead(out, family, metric, "_count");
  AppendInteger(out, count);
  AppendTail(out, metric);
  AppendHead(out, family, metric, "_sum");
  AppendValue(out, sum);
  AppendTail(out, metric);
}

void AppendSummary(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
  const ClientMetric::Summary& summary = metric.summary;
  AppendCountAndSum(out, family, metric, summary.sample_count, summary.sample_sum);
  for (const ClientMetric::Quantile& quantile : summary.quantile) {
    AppendHead(out, family, metric, {}, "quantile", {}, &quantile.quantile);
    AppendValue(out, quantile.value);
    AppendTail(out, metric);
  }
}

void AppendHistogram(std::string& out, const MetricFamily& family, const ClientMetric& metric) {
  const ClientMetric::Histogram& histogram = metric.histogram;
  AppendCountAndSum(out, family, metric, histogram.sample_count, histogram.sample_sum);
  double last = -std::numeric_limits<double>::infinity();
  for (const ClientMetric::Bucket& bucket : histogram.bucket) {
    AppendHead(out, family, metric, "_bucket", "le", {}, &bucket.upper_bound);
    last = bucket.upper_bound;
    AppendInteger(out, bucket.cumulative_count);
    AppendTail(out, metric);
  }
  if (last != std::numeric_limits<double>::infinity()) {
    AppendHead(out, family, metric, "_bucket", "le", "+Inf");
    AppendInteger(out, histogram.sample_count);
    AppendTail(out, metric);
  }
}

std::string_view TypeName(MetricType type) {
  switch (type) {
    case MetricType::Counter:
      return "counter";
    case MetricType::Gauge:
      return "gauge";
    case MetricType::Summary:
      return "summary";
    case MetricType::Histogram:
      return "histogram";
    case MetricType::Untyped:
      break;
  }
  return "untyped";
}

}  // namespace

void AppendPrometheusText(const std::vector<MetricFamily>& families, std::string& out) {
  for (const MetricFamily& family : families) {
    if (!family.help.empty()) {
      out += "# HELP ";
      out += family.name;
      out.push_back(' ');
      AppendEscaped(out, family.help, "\\\n");
      out.push_back('\n');
    }
    out += "# TYPE ";
    out += family.name;
    out.push_back(' ');
    out += TypeName(family.type);
    out.push_back('\n');
    for (const ClientMetric& metric : family.metric) {
      switch (family.type) {
        case MetricType::Counter:
          AppendSample(out, family, metric, metric.counter.value);
          break;
        case MetricType::Gauge:
          AppendSample(out, family, metric, metric.gauge.value);
          break;
        case MetricType::Summary:
          AppendSummary(out, family, metric);
          break;
        case MetricType::Histogram:
          AppendHistogram(out, family, metric);
          break;
        case MetricType::Untyped:
          AppendSample(out, family, metric, metric.untyped.value);
          break;
      }
    }
  }
}

}  // namespace upkeep
