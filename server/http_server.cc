#include "server/http_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "exporter/version.h"
#include "server/accept_encoding.h"
#include "server/http_response.h"

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
  const std::string port = std::to_string(options.port);
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

HttpServer::HttpServer(HttpServerOptions options, const SnapshotRing& ring)
    : options_(std::move(options)),
      ring_(ring),
      router_(options_.telemetry_path),
      landing_page_(LandingPage(options_.telemetry_path)) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Start() {
  const std::string ports = ListeningPort(options_);
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
      nullptr,
  };
  mg_callbacks callbacks{};
  callbacks.log_message = LogCivetMessage;

  mg_init_library(0);
  context_ = mg_start(&callbacks, this, civet_options);
  if (context_ == nullptr) {
    mg_exit_library();
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

void HttpServer::Dispatch(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const std::string_view method = info->request_method;
  const std::string_view path = info->local_uri_raw != nullptr ? info->local_uri_raw : "";
  const bool head = method == "HEAD";
  const RouteMatch match = router_.Match(method, path);
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
