#pragma once

#include <memory>

#include "app/config.h"
#include "controller/update_check_loop.h"
#include "controller/update_checker.h"
#include "controller/update_status.h"
#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"
#include "queue/queue_monitor.h"
#include "server/access_control.h"
#include "server/http_server.h"

namespace upkeep {

// Wires the parts together from a Config: collectors -> Sampler -> SnapshotRing ->
// HttpServer, and with an update: section the update check (UpdateChecker, its background
// loop and its status, which the sampler shows on /metrics) behind the update API's routes.
// The composition root; exporter/, controller/ and server/ know nothing of it.
class Daemon {
 public:
  // Throws ConfigError when update.state_dir cannot be created, std::runtime_error when this
  // binary cannot be found for the git helper.
  explicit Daemon(const Config& config);
  ~Daemon();

  // Loads the credentials, starts sampling, then serving, then the background update check.
  // Throws std::runtime_error when the port cannot be bound or TLS cannot start, ConfigError
  // when a credential file is unusable.
  void Start();
  // Reloads what changes without a restart (SIGHUP): the tokens file and the JWT secret.
  void Reload();
  // Stops serving (in-flight requests finish), the background update check, then sampling.
  void Stop();

  uint16_t bound_port() const { return http_->bound_port(); }
  // The managed service's job queue: State() and ProbeNow() for the update controller.
  QueueMonitor& queue_monitor() { return *queue_; }
  const std::string& bound_host() const { return http_->bound_host(); }

 private:
  void MakeUpdateCheck(const UpdateOptions& update);

  SnapshotRing ring_;
  std::unique_ptr<QueueMonitor> queue_;  // outlives sampler_ and update_checker_, which read it
  // None without an update: section. The status outlives the checker (its on_run) and the
  // sampler (which reads it); the checker outlives http_ and update_loop_, which call it.
  std::unique_ptr<UpdateStatusTracker> update_status_;
  std::unique_ptr<UpdateChecker> update_checker_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<AccessControl> access_;  // outlives http_, which uses it
  std::unique_ptr<HttpServer> http_;
  std::unique_ptr<UpdateCheckLoop> update_loop_;
};

}  // namespace upkeep
