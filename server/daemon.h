#pragma once

#include <memory>

#include "exporter/sampler.h"
#include "exporter/snapshot_ring.h"
#include "server/config.h"
#include "server/http_server.h"

namespace upkeep {

// Wires the parts together from a Config: collectors -> Sampler -> SnapshotRing ->
// HttpServer. The composition root; exporter/ knows nothing of it.
class Daemon {
 public:
  explicit Daemon(const Config& config);
  ~Daemon();

  // Starts sampling, then serving. Throws std::runtime_error when the port cannot be bound.
  void Start();
  // Stops serving (in-flight requests finish), then sampling.
  void Stop();

  uint16_t bound_port() const { return http_->bound_port(); }
  const std::string& bound_host() const { return http_->bound_host(); }

 private:
  SnapshotRing ring_;
  std::unique_ptr<Sampler> sampler_;
  std::unique_ptr<HttpServer> http_;
};

}  // namespace upkeep
