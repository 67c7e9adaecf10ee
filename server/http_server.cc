#include "server/http_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/version.h"
#include "server/accept_encoding.h"
#include "server/http_response.h"
#include "server/tls_setup.h"

namespace upkeep {
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr std::string_view kJsonHeaders =
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";

int LogCivetMessage(const mg_connection* /*conn*/, const char* message) {
  spdlog::warn("http: {}", message);
  return 1;  // handled: CivetWeb writes nothing itself
}

std::string ListeningPort(const HttpServerOptions& options) {
  std::string port = std::to_string(options.port);
  if (options.host.empty()) return port;
  if (options.host.find(':') != std::string::npos) return "[" + options.host + "]:" + port;
  return options.host + ":" + port;
}

std::string LandingPage(const std::string& telemetry_path) {
  return "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>upkeep</title></head>\n"
         "<body><h1>upkeep</h1>\n<p>Version " +
         std::string(kVersion) + " (" + kRevision + ")</p>\n<ul>\n<li><a href=\"" + telemetry_path +
         "\">Metrics</a></li>\n"
         "<li><a href=\"/api/system/health\">Health (JSON)</a></li>\n"
         "<li><a href=\"/-/healthy\">/-/healthy</a> and <a href=\"/-/ready\">/-/ready</a></li>\n"
         "</ul></body></html>\n";
}

}  // namespace

HttpServer::HttpServer(HttpServerOptions options, const SnapshotRing& ring, AccessControl* access)
    : options_(std::move(options)),
      ring_(ring),
      own_access_(access == nullptr ? std::make_unique<AccessControl>() : nullptr),
      access_(access == nullptr ? own_access_.get() : access),
      limits_(options_.max_body_bytes, options_.request_timeout),
      router_(options_.telemetry_path),
      landing_page_(LandingPage(options_.telemetry_path)) {
  std::vector<std::string> handlers = router_.Paths();
  handlers.emplace_back("other");  // unrouted paths, and requests CivetWeb refused
  access_->metrics().SetHandlerLabels(std::move(handlers));
}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  const bool tls = !options_.tls_cert_file.empty();
  if (tls) {
    if (const Status supported = CheckTlsSupport(); !supported) {
      throw std::runtime_error(supported.error());
    }
  }
  const std::string ports = ListeningPort(options_) + (tls ? "s" : "");
  const std::string threads =
      std::to_string(options_.threads > 0 ? options_.threads : kDefaultThreads);
  const std::string request_timeout = std::to_string(options_.request_timeout.count());
  const std::string keep_alive_timeout = std::to_string(options_.keep_alive_timeout.count());
  const char* civet_options[] = {
      "listening_ports",
      ports.c_str(),
      "num_threads",
      threads.c_str(),
      // Nagle + delayed ACK stall a keep-alive response by ~40 ms (DESIGN.md).
      "tcp_nodelay",
      "1",
      "enable_keep_alive",
      "yes",
      "keep_alive_timeout_ms",
      keep_alive_timeout.c_str(),
      "request_timeout_ms",
      request_timeout.c_str(),
      "enable_directory_listing",
      "no",
      // CivetWeb's default backlog (200) overflowed when 256 clients connected at once
      // (TcpExtListenOverflows; each dropped SYN waits 1 s for its retransmission, and
      // wrk -c256 counted timeouts). nginx uses 511; the kernel caps it at somaxconn.
      "listen_backlog",
      "1024",
      // TLS 1.2 and later (CivetWeb's 4 turns off SSLv2/3, TLS 1.0 and 1.1); InitTls also
      // sets the minimum on the context. Unused without an "s" port.
      "ssl_protocol_version",
      "4",
      nullptr,
  };
  mg_callbacks callbacks{};
  callbacks.log_message = LogCivetMessage;
  callbacks.http_error = &HttpServer::HandleRequestError;
  callbacks.init_ssl = &HttpServer::InitTls;

  mg_init_library(tls ? 2u /* MG_FEATURES_SSL */ : 0u);
  if (tls) {
    if (const Status repaired = RepairCivetwebTls(); !repaired) {
      mg_exit_library();
      throw std::runtime_error(repaired.error());
    }
  }
  char error_text[256] = "";
  mg_error_data error{nullptr, error_text, sizeof error_text};
  mg_init_data init{&callbacks, this, civet_options};
  context_ = mg_start2(&init, &error);
  if (context_ == nullptr) {
    mg_exit_library();
    if (!tls_error_.empty()) throw std::runtime_error(tls_error_);
    if (tls && std::string_view(error_text).find("SSL") != std::string_view::npos) {
      throw std::runtime_error("cannot start HTTPS on " + ports + ": " + error_text);
    }
    throw std::runtime_error("cannot listen on " + ports +
                             " (address in use, or not an address of this host)");
  }
  mg_set_request_handler(context_, "/", &HttpServer::HandleRequest, this);

  mg_server_port bound[4];
  const int count = mg_get_server_ports(context_, 4, bound);
  if (count > 0) bound_port_ = static_cast<uint16_t>(bound[0].port);
  bound_host_ = options_.host.empty() ? "0.0.0.0" : options_.host;
}

void HttpServer::Stop() {
  if (context_ != nullptr) {
    mg_stop(context_);
    context_ = nullptr;
    mg_exit_library();
  }
}

int HttpServer::HandleRequest(mg_connection* conn, void* self) {
  static_cast<HttpServer*>(self)->Dispatch(conn);
  return 1;
}

int HttpServer::HandleRequestError(mg_connection* conn, int status, const char* /*message*/) {
  const int sent = WriteRequestError(conn, status);
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  if (self != nullptr) {
    HttpMetrics& metrics = self->access_->metrics();
    metrics.CountResponse(metrics.HandlerIndex("other"), sent);
  }
  return 0;  // handled: CivetWeb sends nothing itself
}

int HttpServer::InitTls(void* ssl_ctx, void* self) {
  auto* server = static_cast<HttpServer*>(self);
  const Status loaded =
      ConfigureTlsContext(ssl_ctx, server->options_.tls_cert_file, server->options_.tls_key_file);
  if (!loaded) {
    server->tls_error_ = loaded.error();
    return -1;
  }
  return 1;  // the certificate is set up: CivetWeb must not look for its own PEM file
}

void HttpServer::Dispatch(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string_view method = info->request_method;
  const std::string_view path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
  const bool head = method == "HEAD";
  const RouteMatch match = router_.Match(method, path);
  ResetLastResponseStatus();
  // Limits and access come before the handler: a refused request reaches none.
  if (limits_.Admit(conn) &&
      access_->Admit(conn, access_->Required(path, path == options_.telemetry_path))) {
    Serve(conn, match, method, head);
  }
  // Scrapes are not counted: Prometheus counts them itself, and the exposition guidelines
  // ask exporters not to.
  if (match.route != Route::kMetrics) {
    HttpMetrics& metrics = access_->metrics();
    metrics.CountResponse(metrics.HandlerIndex(path), LastResponseStatus());
  }
}

void HttpServer::Serve(mg_connection* conn, const RouteMatch& match, std::string_view method,
                       bool head) {
  switch (match.route) {
    case Route::kMetrics:
      return ServeMetrics(conn, head);
    case Route::kHealth:
      return ServeHealth(conn, head);
    case Route::kLanding:
      return ServeLanding(conn, head);
    case Route::kHealthy:
      return WriteResponse(conn, 200, "text/plain; charset=utf-8", "upkeep is healthy.\n", {},
                           head);
    case Route::kReady:
      if (ring_.HasSnapshot()) {
        return WriteResponse(conn, 200, "text/plain; charset=utf-8", "upkeep is ready.\n", {},
                             head);
      }
      return WriteJsonError(conn, 503, "not_ready", "no sample has been published yet");
    case Route::kMethodNotAllowed: {
      std::string allow = "Allow: ";
      allow.append(match.allow);
      allow.append("\r\n");
      return WriteJsonError(conn, 405, "method_not_allowed",
                            "method " + std::string(method) + " is not allowed here", allow);
    }
    case Route::kNotFound:
      break;
  }
  WriteJsonError(conn, 404, "not_found", "no such endpoint");
}

void HttpServer::ServeMetrics(mg_connection* conn, bool head) {
  const SnapshotRing::ReadGuard snapshot = ring_.Acquire();
  if (!snapshot) {
    return WriteJsonError(conn, 503, "not_ready", "no sample has been published yet");
  }
  const char* accept_encoding = mg_get_header(conn, "Accept-Encoding");
  if (accept_encoding != nullptr && AcceptsGzip(accept_encoding)) {
    return WriteResponse(conn, 200, kMetricsContentType, snapshot->metrics_gzip,
                         "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n", head);
  }
  WriteResponse(conn, 200, kMetricsContentType, snapshot->metrics_text, "Vary: Accept-Encoding\r\n",
                head);
}

void HttpServer::ServeHealth(mg_connection* conn, bool head) {
  const SnapshotRing::ReadGuard snapshot = ring_.Acquire();
  if (!snapshot) {
    return WriteJsonError(conn, 503, "not_ready", "no sample has been published yet");
  }
  WriteResponse(conn, 200, "application/json", snapshot->health_json, kJsonHeaders, head);
}

void HttpServer::ServeLanding(mg_connection* conn, bool head) {
  WriteResponse(conn, 200, "text/html; charset=utf-8", landing_page_, {}, head);
}

}  // namespace upkeep
