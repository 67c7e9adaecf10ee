#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "exporter/snapshot_ring.h"
#include "server/access_control.h"
#include "server/request_limits.h"
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
  // Access control and limits (see AccessControl, RequestLimits).
  std::string tls_cert_file;  // both set: HTTPS only (TLS 1.2+)
  std::string tls_key_file;
  size_t max_body_bytes = RequestLimits::kDefaultMaxBodyBytes;
};

// CivetWeb serving the published snapshots. Handlers load the current snapshot from the
// ring and write its pre-rendered bytes: no sampling, no serialising, no lock.
class HttpServer {
 public:
  // Thread-per-connection: each keep-alive connection and each slow client holds a worker.
  // The README's "HTTP worker pool" section records the measurement behind this number.
  static constexpr int kDefaultThreads = 512;

  // `access` decides who may call what (owned by the caller, outliving the server); without
  // one, /api/ answers 401 to everyone and /metrics is open.
  HttpServer(HttpServerOptions options, const SnapshotRing& ring, AccessControl* access = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts serving. Throws std::runtime_error naming the cause (port in use, TLS
  // libraries or certificate files that cannot be loaded).
  void Start();
  // Stops accepting, lets in-flight requests finish, joins the workers.
  void Stop();

  uint16_t bound_port() const { return bound_port_; }
  const std::string& bound_host() const { return bound_host_; }

 private:
  static int HandleRequest(mg_connection* conn, void* self);
  static int HandleRequestError(mg_connection* conn, int status, const char* message);
  static int InitTls(void* ssl_ctx, void* self);
  void Dispatch(mg_connection* conn);
  void Serve(mg_connection* conn, const RouteMatch& match, std::string_view method, bool head);
  void ServeMetrics(mg_connection* conn, bool head);
  void ServeHealth(mg_connection* conn, bool head);
  void ServeLanding(mg_connection* conn, bool head);

  HttpServerOptions options_;
  const SnapshotRing& ring_;
  std::unique_ptr<AccessControl> own_access_;  // when none was given
  AccessControl* access_;
  RequestLimits limits_;
  std::string tls_error_;  // set by InitTls when the certificate or key cannot be loaded
  Router router_;
  std::string landing_page_;
  mg_context* context_ = nullptr;
  uint16_t bound_port_ = 0;
  std::string bound_host_;
};

}  // namespace upkeep
