#include "bench/daemon_pipeline.h"

#include <string>
#include <vector>

#include "app/config.h"
#include "exporter/host_collectors.h"
#include "queue/queue_source.h"
#include "server/http_server.h"

namespace upkeep::bench {

DaemonPipeline::DaemonPipeline() {
  const Config config = DefaultConfig();
  // As HttpServer labels the request counters: its own routes, then "other".
  std::vector<std::string> handlers = HttpServer::BuiltInPaths(config.web.telemetry_path);
  handlers.emplace_back("other");
  access_.metrics().SetHandlerLabels(std::move(handlers));

  queue_ = std::make_unique<QueueMonitor>(std::make_unique<NoneQueueSource>(),
                                          QueueMonitorOptions{
                                              .interval = config.queue.interval,
                                              .timeout = config.queue.timeout,
                                              .stale_after = config.queue.stale_after,
                                          });
  queue_->Start();
  sampler_ = std::make_unique<Sampler>(
      MakeHostCollectors({.procfs = config.sample.procfs,
                          .rootfs = config.sample.rootfs,
                          .filesystems_auto = config.sample.filesystems_auto,
                          .filesystems = config.sample.filesystems,
                          .stat_timeout = config.sample.stat_timeout}),
      [queue = queue_.get()] { return queue->Latest(); }, config.sample.interval, ring_);
  sampler_->SetExtraMetrics(
      [access = &access_](std::string& out) { access->metrics().AppendText(out); });
}

DaemonPipeline::~DaemonPipeline() {
  sampler_.reset();
  queue_->Stop();
}

Sample CollectHostSample() {
  DaemonPipeline pipeline;
  for (int i = 0; i < 3; ++i) pipeline.sampler().Tick();
  return pipeline.ring().Acquire()->sample;
}

}  // namespace upkeep::bench
