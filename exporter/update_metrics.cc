#include "exporter/update_metrics.h"

#include <prometheus/metric_family.h>

#include <utility>
#include <vector>

#include "exporter/prometheus_text.h"

namespace upkeep {
namespace {

using prometheus::ClientMetric;
using prometheus::MetricFamily;

void AddGauge(std::vector<MetricFamily>& families, const char* name, const char* help, double value,
              std::vector<ClientMetric::Label> labels = {}) {
  ClientMetric metric;
  metric.label = std::move(labels);
  metric.gauge.value = value;
  families.push_back(MetricFamily{name, help, prometheus::MetricType::Gauge, {std::move(metric)}});
}

}  // namespace

void AppendUpdateMetrics(const UpdateSample& sample, std::string& out) {
  if (!sample.checked) return;
  // Built afresh each tick: a handful of series once a second, not worth a registry.
  std::vector<MetricFamily> families;
  families.reserve(7);
  const bool known = !sample.target_revision.empty() || !sample.target_version.empty();
  if (known) {
    AddGauge(families, "upkeep_update_available",
             "1 when the managed service's remote branch has commits its checkout lacks (latest "
             "successful update check).",
             sample.available ? 1 : 0);
    if (sample.available && sample.available_since_timestamp_seconds > 0) {
      AddGauge(families, "upkeep_update_available_since_timestamp_seconds",
               "Since when an update has been available without being applied, seconds since "
               "the epoch (kept across restarts); absent while none is available.",
               sample.available_since_timestamp_seconds);
    }
    AddGauge(families, "upkeep_update_commits_behind",
             "Commits on the remote branch that the managed service's checkout lacks (latest "
             "successful update check).",
             static_cast<double>(sample.commits_behind));
  }
  AddGauge(families, "upkeep_update_check_success",
           "1 when the latest update check (a fetch from the remote) succeeded.",
           sample.check_success ? 1 : 0);
  AddGauge(families, "upkeep_update_last_check_timestamp_seconds",
           "When the latest update check finished, seconds since the epoch.",
           sample.last_check_timestamp_seconds);
  AddGauge(families, "upkeep_update_check_duration_seconds",
           "How long the latest update check took (the git helper's run, fetch included).",
           sample.check_duration_seconds);
  if (known) {
    AddGauge(families, "upkeep_target_info",
             "The managed service's checked-out version (git describe) and revision (value 1).", 1,
             {{"version", sample.target_version}, {"revision", sample.target_revision}});
  }
  AppendPrometheusText(families, out);
}

}  // namespace upkeep
