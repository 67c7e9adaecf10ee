#include "exporter/update_metrics.h"

#include <prometheus/metric_family.h>

#include <cstddef>
#include <string>
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

// One series per run result, labelled result="<name>", valued by `value_of(index)`.
template <typename ValueOf>
MetricFamily PerResultFamily(const char* name, const char* help, prometheus::MetricType type,
                             ValueOf value_of) {
  MetricFamily family{name, help, type, {}};
  family.metric.reserve(kUpdateRunResultNames.size());
  for (size_t i = 0; i < kUpdateRunResultNames.size(); ++i) {
    ClientMetric& metric = family.metric.emplace_back();
    metric.label = {{"result", std::string(kUpdateRunResultNames[i])}};
    if (type == prometheus::MetricType::Counter) {
      metric.counter.value = value_of(i);
    } else {
      metric.gauge.value = value_of(i);
    }
  }
  return family;
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

void AppendUpdateRunMetrics(const UpdateRunSample& sample, std::string& out) {
  std::vector<MetricFamily> families;
  families.reserve(7);
  AddGauge(families, "upkeep_update_in_progress",
           "1 while an update of the managed service is running.", sample.in_progress ? 1 : 0);
  families.push_back(PerResultFamily(
      "upkeep_update_runs_total",
      "Update runs by how they ended (refused: an execute request turned away before any "
      "change), since upkeep started.",
      prometheus::MetricType::Counter,
      [&](size_t i) { return static_cast<double>(sample.runs_total[i]); }));
  if (sample.has_last) {
    AddGauge(families, "upkeep_update_last_run_timestamp_seconds",
             "When the last update run finished, seconds since the epoch; absent before one.",
             sample.last_run_timestamp_seconds);
    AddGauge(families, "upkeep_update_last_duration_seconds",
             "How long the last update run took, rollback included; absent before one.",
             sample.last_duration_seconds);
    families.push_back(PerResultFamily(
        "upkeep_update_last_result",
        "1 for how the last update run ended, 0 for every other result; absent before one.",
        prometheus::MetricType::Gauge,
        [&](size_t i) { return kUpdateRunResultNames[i] == sample.last_result ? 1.0 : 0.0; }));
  }
  AddGauge(families, "upkeep_update_interrupted",
           "1 when upkeep found, at its last start, an update run that a crash or kill had "
           "interrupted.",
           sample.interrupted ? 1 : 0);
  AddGauge(families, "upkeep_update_recovery_pending",
           "1 while updates are refused until an admin runs `upkeep update resolve`.",
           sample.recovery_pending ? 1 : 0);
  AppendPrometheusText(families, out);
}

}  // namespace upkeep
