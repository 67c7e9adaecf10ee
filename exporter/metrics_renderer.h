#pragma once

#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>

#include "exporter/metric_series.h"
#include "exporter/sample.h"

namespace upkeep {

// Renders a Sample as Prometheus text (format 0.0.4): the series live in a prometheus-cpp
// Registry, whose Collect() is written out by AppendPrometheusText (TextSerializer's output
// without its ostream cost). Called by the sampler once a tick, never on a request. A value the
// tick could not read (its collector failed) is absent from the output rather than stale or 0, as
// node_exporter does; upkeep_collector_success says why.
class MetricsRenderer {
 public:
  MetricsRenderer();
  MetricsRenderer(const MetricsRenderer&) = delete;
  MetricsRenderer& operator=(const MetricsRenderer&) = delete;

  // Replaces `out` with the exposition of `sample`.
  void Render(const Sample& sample, std::string& out);

 private:
  struct FilesystemSeries {
    GaugeSeries size, free, avail, device_error, stuck;
  };
  struct CollectorSeries {
    GaugeSeries success, duration;
  };

  void RenderFilesystems(const Sample& sample);
  void RenderCollectors(const Sample& sample);

  std::shared_ptr<prometheus::Registry> registry_;

  prometheus::Family<prometheus::Counter>* cpu_seconds_;
  prometheus::Family<prometheus::Gauge>* fs_size_;
  prometheus::Family<prometheus::Gauge>* fs_free_;
  prometheus::Family<prometheus::Gauge>* fs_avail_;
  prometheus::Family<prometheus::Gauge>* fs_device_error_;
  prometheus::Family<prometheus::Gauge>* fs_stuck_;
  prometheus::Family<prometheus::Gauge>* collector_success_;
  prometheus::Family<prometheus::Gauge>* collector_duration_;

  std::map<std::string, CounterSeries> cpu_modes_;
  GaugeSeries cpu_usage_, cpu_cores_;
  GaugeSeries memory_total_, memory_used_, memory_available_;
  GaugeSeries load1_, load5_, load15_, boot_time_, uptime_;
  CounterSeries process_cpu_;
  GaugeSeries process_resident_, process_open_fds_, process_start_time_;
  GaugeSeries queue_depth_, queue_active_jobs_, queue_probe_success_, queue_probe_duration_,
      queue_last_success_;
  std::map<std::string, FilesystemSeries> filesystems_;
  std::map<std::string, CollectorSeries> collectors_;
};

}  // namespace upkeep
