#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "exporter/snapshot_ring.h"
#include "server/router.h"

struct mg_context;
struct mg_connection;

namespace upkeep {

struct HttpServerOptions {
  std::string host;       // "" = every address
  uint16_t port = 10420;  // 0 = an ephemeral port (see bound_port())
  std::string telemetry_path = "/metrics";
  int threads = 0;  // 0 = kDefaultThreads
  std::chrono::milliseconds request_timeout{10000};
  std::chrono::milliseconds keep_alive_timeout{10000};
};

// CivetWeb serving the published snapshots. Handlers load the current snapshot from the
// ring and write its pre-rendered bytes: no sampling, no serialising, no lock.
class HttpServer {
 public:
  // Thread-per-connection: each keep-alive connection and each slow client holds a worker.
  // The README's "HTTP worker pool" section records the measurement behind this number.
  static constexpr int kDefaultThreads = 512;

  HttpServer(HttpServerOptions options, const SnapshotRing& ring);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error naming the cause (port in use).
  void Start();
  // Stops accepting, lets in-flight requests finish, joins the workers.
  void Stop();

  uint16_t bound_port() const { return bound_port_; }
  const std::string& bound_host() const { return bound_host_; }

 private:
  static int HandleRequest(mg_connection* conn, void* self);
  void Dispatch(mg_connection* conn);
  void ServeMetrics(mg_connection* conn, bool head);
  void ServeHealth(mg_connection* conn, bool head);
  void ServeLanding(mg_connection* conn, bool head);

  HttpServerOptions options_;
  const SnapshotRing& ring_;
  Router router_;
  std::string landing_page_;
  mg_context* context_ = nullptr;
  uint16_t bound_port_ = 0;
  std::string bound_host_;
};

}  // namespace upkeep
