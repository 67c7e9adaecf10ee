#include "server/daemon.h"

#include <chrono>

#include "exporter/host_collectors.h"
#include "exporter/queue_source.h"

namespace upkeep {
namespace {

std::vector<std::unique_ptr<Collector>> MakeCollectors(const SampleConfig& sample) {
  return MakeHostCollectors({.procfs = sample.procfs,
                             .rootfs = sample.rootfs,
                             .filesystems_auto = sample.filesystems_auto,
                             .filesystems = sample.filesystems,
                             .stat_timeout = sample.stat_timeout});
}

// The `none` queue source answers at once, so it is probed inline each tick. Real sources
// (which can block) are probed on their own thread by the queue issue's monitor.
Sampler::QueueStateFunction NoneQueueState() {
  return [source = std::make_shared<NoneQueueSource>()]() {
    const auto begin = std::chrono::steady_clock::now();
    Result<QueueProbe> probe = source->Probe();
    QueueSample state;
    state.source = std::string(source->Type());
    state.probe_duration_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    state.probe_success = probe.ok();
    if (probe.ok()) {
      state.depth = probe->depth;
      state.active_jobs = probe->active_jobs;
      state.active_job = probe->active_job;
      state.last_success_timestamp_seconds =
          std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
              .count();
    } else {
      state.error = probe.error();
      state.stale = true;
    }
    return state;
  };
}

}  // namespace

Daemon::Daemon(const Config& config) {
  Result<HostPort> address = ParseListenAddress(config.web.listen_address);
  HttpServerOptions http;
  http.host = address->host;  // validated when the config was loaded
  http.port = address->port;
  http.telemetry_path = config.web.telemetry_path;
  http.threads = config.web.threads;
  http.request_timeout = config.web.request_timeout;
  http.keep_alive_timeout = config.web.keep_alive_timeout;
  sampler_ = std::make_unique<Sampler>(MakeCollectors(config.sample), NoneQueueState(),
                                       config.sample.interval, ring_);
  http_ = std::make_unique<HttpServer>(std::move(http), ring_);
}

Daemon::~Daemon() { Stop(); }

void Daemon::Start() {
  sampler_->Start();
  http_->Start();
}

void Daemon::Stop() {
  http_->Stop();
  sampler_->Stop();
}

}  // namespace upkeep
