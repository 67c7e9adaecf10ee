#pragma once

#include <memory>

#include "app/config.h"
#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"
#include "queue/queue_monitor.h"
#include "server/access_control.h"
#include "server/http_server.h"

namespace upkeep {

// Wires the parts together from a Config: collectors -> Sampler -> SnapshotRing ->
// HttpServer. The composition root; exporter/ knows nothing of it.
class Daemon {
 public:
  explicit Daemon(const Config& config);
  ~Daemon();

  // Loads the credentials, starts sampling, then serving. Throws std::runtime_error when the
  // port cannot be bound or TLS cannot start, ConfigError when a credential file is unusable.
  void Start();
  // Reloads what changes without a restart (SIGHUP): the tokens file and the JWT secret.
  void Reload();
  // Stops serving (in-flight requests finish), then sampling.
  void Stop();

  uint16_t bound_port() const { return http_->bound_port(); }
  // The managed service's job queue: State() and ProbeNow() for the update controller.
  QueueMonitor& queue_monitor() { return *queue_; }
  const std::string& bound_host() const { return http_->bound_host(); }

 private:
  SnapshotRing ring_;
  std::unique_ptr<QueueMonitor> queue_;  // outlives sampler_, which reads it
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<AccessControl> access_;  // outlives http_, which uses it
  std::unique_ptr<HttpServer> http_;
};

}  // namespace upkeep
