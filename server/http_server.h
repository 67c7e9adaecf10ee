#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "exporter/snapshot_ring.h"
#include "server/access_control.h"
#include "server/http_response.h"
#include "server/request_head.h"
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

// How web.request_timeout (T) is shared out so that a request's head and body together never
// take longer than T, however slowly they trickle. CivetWeb bounds the head itself: it gives
// up once `read` has passed since the request began and a read found nothing (so within
// 2 x read = T/2), and for a later request on a kept-alive connection it counts `keep_alive`
// instead, from the end of the previous answer. The body is read while less than `body` has
// passed since the handler began, each read waiting at most `read`: T/4 + T/4 more.
struct CivetwebTimeouts {
  std::chrono::milliseconds read;  // CivetWeb's request_timeout_ms: T/4
  std::chrono::milliseconds
      keep_alive;                  // keep_alive_timeout_ms: web.keep_alive_timeout, at most T/4
  std::chrono::milliseconds body;  // the last moment a body read may start: T/4
};
CivetwebTimeouts SplitRequestTimeout(const HttpServerOptions& options);

// CivetWeb serving a table of routes (Router). Its own routes are /, the telemetry path,
// /api/system/health, /-/healthy and /-/ready, which load the current snapshot from the ring
// and write its pre-rendered bytes (no sampling, no serialising, no lock), and the public
// /api/openapi.yaml, the API description embedded at build time (OpenApiDocument). The composition
// root adds the others (AddRoute) before Start(); server/ knows nothing of what they do.
//
// Every request goes through the same steps: its head is checked (CheckRequestHead, on the
// bytes recovered from CivetWeb's buffer), the route is matched, a declared body over the
// limit is refused (413), the access the route needs is checked (AccessControl), 404 for an
// unknown path and 405 with Allow for a method the path does not take, and only then is the
// body read (a route method other than GET and HEAD, within the deadline) and the route's
// handler called. A GET or HEAD with a body is answered without reading it. Every error
// answer closes the connection.
class HttpServer {
 public:
  // Thread-per-connection: each keep-alive connection and each slow client holds a worker.
  // The README's "HTTP worker pool" section records the measurement behind this number.
  static constexpr int kDefaultThreads = 512;

  // `access` decides who may call what (owned by the caller, outliving the server); without
  // one, /api/ answers 401 to everyone and /metrics is open. Throws std::invalid_argument
  // for a telemetry path that is malformed or clashes with another route (the config
  // refuses those first).
  HttpServer(HttpServerOptions options, const SnapshotRing& ring, AccessControl* access = nullptr);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Adds a route to be served. Before Start() only; the route's access is raised to admin
  // under /api/ (see Route::access). Throws std::invalid_argument when the router refuses the
  // route (a path or label already taken, see Router::Add), for the reserved label "other",
  // or past the number of handler labels the request counters have room for; and
  // std::logic_error once the server has started.
  void AddRoute(Route route);

  // The paths HttpServer routes itself, in table order.
  static std::vector<std::string> BuiltInPaths(std::string_view telemetry_path);
  // The {handler} labels of upkeep_http_requests_total: one per route, then "other".
  std::vector<std::string> handler_labels() const;

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
  void AddBuiltInRoutes();
  void Dispatch(mg_connection* conn);
  void Serve(mg_connection* conn, const RouteMatch& match, const RequestHeadVerdict& head,
             std::chrono::steady_clock::time_point begin);
  void ServeMetrics(const HttpRequest& request, HttpResponse& response) const;
  void ServeHealth(HttpResponse& response) const;
  void ServeReady(HttpResponse& response) const;

  HttpServerOptions options_;
  const SnapshotRing& ring_;
  std::unique_ptr<AccessControl> own_access_;  // when none was given
  AccessControl* access_;
  RequestLimits limits_;
  std::chrono::milliseconds body_window_;  // see SplitRequestTimeout
  std::string tls_error_;  // set by InitTls when the certificate or key cannot be loaded
  Router router_;
  size_t telemetry_index_ = 0;  // the telemetry route's place in the router
  std::string landing_page_;
  mg_context* context_ = nullptr;
  uint16_t bound_port_ = 0;
  std::string bound_host_;
};

}  // namespace upkeep
