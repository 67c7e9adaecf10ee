#pragma once

#include <memory>

#include "app/config.h"
#include "app/update_service.h"
#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"
#include "queue/queue_monitor.h"
#include "server/access_control.h"
#include "server/http_server.h"

namespace upkeep {

// Wires the parts together from a Config: collectors -> Sampler -> SnapshotRing ->
// HttpServer, and with an update: section the UpdateService (the update check and the update
// runner, whose state the sampler shows on /metrics) behind the update API's routes.
// The composition root; exporter/, controller/ and server/ know nothing of it.
class Daemon {
 public:
  // Throws ConfigError when update.state_dir cannot be created, std::runtime_error when this
  // binary cannot be found for the git helper.
  explicit Daemon(const Config& config);
  ~Daemon();

  // Loads the credentials, starts sampling, recovers an interrupted update and starts the
  // background update check, then serves.
  // Throws std::runtime_error when the port cannot be bound or TLS cannot start, ConfigError
  // when a credential file is unusable.
  void Start();
  // Reloads what changes without a restart (SIGHUP): the tokens file and the JWT secret.
  void Reload();
  // Lets an update under way roll back (update.shutdown_timeout; past it the process exits at
  // once, leaving the journal for the next start), then stops serving (in-flight requests
  // finish), the background update check and sampling.
  void Stop();

  uint16_t bound_port() const { return http_->bound_port(); }
  // The managed service's job queue: State() and ProbeNow() for the update controller.
  QueueMonitor& queue_monitor() { return *queue_; }
  const std::string& bound_host() const { return http_->bound_host(); }

 private:
  SnapshotRing ring_;
  std::unique_ptr<QueueMonitor> queue_;  // outlives sampler_ and update_, which read it
  // None without an update: section. Outlives the sampler (which reads its status) and http_
  // (whose routes call it).
  std::unique_ptr<UpdateService> update_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<AccessControl> access_;  // outlives http_, which uses it
  std::unique_ptr<HttpServer> http_;
};

}  // namespace upkeep
