#pragma once

#include <prometheus/metric_family.h>

#include <string>
#include <vector>

namespace upkeep {

// Appends `families` to `out` in the Prometheus text format 0.0.4, byte for byte what
// prometheus-cpp 1.0.1's TextSerializer writes for them (values as %.16g, "Nan", "+Inf",
// "-Inf"; label values with \\, \" and \n escaped), with one deliberate difference: HELP
// text has \\ and \n escaped as the format requires (TextSerializer writes it raw, so a
// newline in it would break the exposition).
//
// Why not TextSerializer itself: it formats through std::ostream, which was over a quarter of
// a sample tick's instructions (callgrind, bench/RESULTS.md: locale-aware num_put and
// vsnprintf for every value, then the string a stringstream builds and hands over). This appends
// into a reused string with std::to_chars and allocates nothing once `out` has grown. Counters,
// gauges and untyped series are what upkeep registers; summaries and histograms are written too, so
// that no family is ever dropped silently.
void AppendPrometheusText(const std::vector<prometheus::MetricFamily>& families, std::string& out);

}  // namespace upkeep
