#include "server/http_server.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "common/text.h"
#include "common/version.h"
#include "server/accept_encoding.h"
#include "server/civetweb_head.h"
#include "server/http_response.h"
#include "server/openapi_document.h"
#include "server/request_head.h"
#include "server/tls_setup.h"

namespace upkeep {
namespace {

constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";
constexpr const char* kOtherLabel = "other";

// Who Dispatch's AccessControl::Admit let in, for Serve to hand to the handler (the request's
// caller() views it). Per worker thread, as a request is dispatched and served on one thread;
// Admit clears it first, so nothing carries over from the previous request.
thread_local std::string t_caller;

int LogCivetMessage(const mg_connection* /*conn*/, const char* message) {
  spdlog::warn("http: {}", Printable(message != nullptr ? message : ""));
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
         "<li><a href=\"" +
         std::string(kOpenApiPath) +
         "\">API description (OpenAPI)</a></li>\n"
         "</ul></body></html>\n";
}

}  // namespace

CivetwebTimeouts SplitRequestTimeout(const HttpServerOptions& options) {
  using std::chrono::milliseconds;
  const milliseconds quarter = std::max(milliseconds(1), options.request_timeout / 4);
  CivetwebTimeouts timeouts;
  timeouts.read = quarter;
  timeouts.body = quarter;
  timeouts.keep_alive = std::max(milliseconds(1), std::min(options.keep_alive_timeout, quarter));
  return timeouts;
}

HttpServer::HttpServer(HttpServerOptions options, const SnapshotRing& ring, AccessControl* access)
    : options_(std::move(options)),
      ring_(ring),
      own_access_(access == nullptr ? std::make_unique<AccessControl>() : nullptr),
      access_(access == nullptr ? own_access_.get() : access),
      limits_(options_.max_body_bytes),
      body_window_(SplitRequestTimeout(options_).body),
      landing_page_(LandingPage(options_.telemetry_path)) {
  AddBuiltInRoutes();
}

std::vector<std::string> HttpServer::BuiltInPaths(std::string_view telemetry_path) {
  return {"/",        std::string(telemetry_path), "/api/system/health", "/-/healthy",
          "/-/ready", std::string(kOpenApiPath)};
}

void HttpServer::AddBuiltInRoutes() {
  const std::vector<std::string> paths = BuiltInPaths(options_.telemetry_path);
  const RouteHandler handlers[] = {
      [this](const HttpRequest&, HttpResponse& response) {
        response.Send(200, "text/html; charset=utf-8", landing_page_);
      },
      [this](const HttpRequest& request, HttpResponse& response) {
        ServeMetrics(request, response);
      },
      [this](const HttpRequest&, HttpResponse& response) { ServeHealth(response); },
      [](const HttpRequest&, HttpResponse& response) {
        response.Text(200, "upkeep is healthy.\n");
      },
      [this](const HttpRequest&, HttpResponse& response) { ServeReady(response); },
      [](const HttpRequest&, HttpResponse& response) {
        response.Send(200, kOpenApiContentType, OpenApiDocument());
      },
  };
  const Access access[] = {Access::kPublic, access_->Required(options_.telemetry_path, true),
                           Access::kAdmin,  Access::kPublic,
                           Access::kPublic, Access::kPublic};
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i == 1) telemetry_index_ = router_.size();
    AddRoute({.path = paths[i],
              .methods = {"GET"},
              .label = {},
              .access = access[i],
              .handler = handlers[i]});
  }
}

void HttpServer::AddRoute(Route route) {
  if (context_ != nullptr) {
    throw std::logic_error("route " + route.path + " added after the HTTP server started");
  }
  if (route.label == kOtherLabel) {
    throw std::invalid_argument("route " + route.path +
                                ": the handler label \"other\" is reserved");
  }
  if (router_.size() + 1 >= HttpMetrics::kMaxHandlers) {
    throw std::invalid_argument("route " + route.path + ": no room for more than " +
                                std::to_string(HttpMetrics::kMaxHandlers - 1) + " routes");
  }
  if (const Status added = router_.Add(std::move(route)); !added) {
    throw std::invalid_argument(added.error());
  }
  // Set now, not in Start(): the sampler may render the counters as soon as it runs, and the
  // composition root adds its routes before it starts anything.
  access_->metrics().SetHandlerLabels(handler_labels());
}

std::vector<std::string> HttpServer::handler_labels() const {
  std::vector<std::string> labels = router_.Labels();
  labels.emplace_back(kOtherLabel);  // unrouted paths, and requests CivetWeb refused
  return labels;
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
  const CivetwebTimeouts timeouts = SplitRequestTimeout(options_);
  const std::string request_timeout = std::to_string(timeouts.read.count());
  const std::string keep_alive_timeout = std::to_string(timeouts.keep_alive.count());
  const std::string max_request_size = std::to_string(kCivetwebHeadBuffer);
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
      // The path stays as sent: CheckRequestHead refuses percent-encoding in it, rather than
      // routing what CivetWeb decoded in place (a %00 ended the path there).
      "decode_url",
      "no",
      // RecoverRequestHead relies on this buffer size (it is CivetWeb's default).
      "max_request_size",
      max_request_size.c_str(),
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

int HttpServer::HandleRequestError(mg_connection* conn, int status, const char* message) {
  const mg_request_info* info = mg_get_request_info(conn);
  // When CivetWeb parsed the head before refusing it (a Transfer-Encoding or Content-Length
  // it does not take, an HTTP version or target it does not serve), the checker names the
  // precise reason and status (501 for a transfer coding we do not implement).
  int sent = 0;
  if (status == 400 || status == 411 || status == 505) {
    std::string head;
    const RecoveredHead recovered = RecoverRequestHead(*info, nullptr, head);
    if (recovered.kind == RecoveredHead::Kind::kComplete) {
      const RequestHeadVerdict verdict = CheckRequestHead(head);
      if (!verdict) {
        WriteJsonError(conn, verdict.status, verdict.code, verdict.message);
        sent = verdict.status;
      }
    }
  }
  if (sent == 0) sent = WriteRequestError(conn, status);
  spdlog::warn("http: client {}: {} before routing: {}", info->remote_addr, sent,
               Quote(Printable(message != nullptr ? message : "")));
  auto* self = static_cast<HttpServer*>(mg_get_user_data(mg_get_context(conn)));
  if (self != nullptr) {
    HttpMetrics& metrics = self->access_->metrics();
    metrics.CountResponse(metrics.HandlerIndex(kOtherLabel), sent);
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
  const auto begin = std::chrono::steady_clock::now();
  ResetLastResponseStatus();
  RequestLimits::ResetBody();
  const mg_request_info* info = mg_get_request_info(conn);
  const char* query_mark = info->query_string != nullptr ? info->query_string - 1 : nullptr;
  thread_local std::string t_head;  // the verdict's views point into it
  const RecoveredHead recovered = RecoverRequestHead(*info, query_mark, t_head);
  RequestHeadVerdict head;
  if (info->num_headers > static_cast<int>(kMaxHeaderFields)) {
    // CivetWeb kept its 64 and stopped reading: the rest of the head is not in view.
    head.status = 431;
    head.code = "too_many_headers";
    head.message =
        "a request may have at most " + std::to_string(kMaxHeaderFields) + " header fields";
  } else if (recovered.kind == RecoveredHead::Kind::kComplete) {
    head = CheckRequestHead(t_head);
  } else {
    head.status = 400;
    head.code = "bad_request";
    head.message = recovered.kind == RecoveredHead::Kind::kCutShort
                       ? std::string(recovered.why)
                       : std::string("malformed request head");
  }
  if (!head) {
    // Nothing of the request is trusted: not its path (so no route is counted), not its
    // framing (so the connection closes with the answer).
    WriteJsonError(conn, head.status, head.code, head.message);
    spdlog::warn("http: client {}: {} for a malformed request: {}", info->remote_addr, head.status,
                 head.message);
    access_->metrics().CountResponse(router_.size(), LastResponseStatus());
    return;
  }
  const RouteMatch match = router_.Match(head.method, head.path);
  // An unknown path needs what its place asks (401 rather than 404 under /api/, so that
  // the API's paths are not told to whoever asks).
  Access required = access_->Required(head.path, false);
  if (match.route != nullptr) required = std::max(required, match.route->access);
  // Whatever is refused is refused before a byte of its body is read, and the connection
  // closes with the refusal (WriteResponse closes on every error).
  if (limits_.AdmitDeclaredSize(conn, head) && access_->Admit(conn, required, &t_caller)) {
    Serve(conn, match, head, begin);
  }
  // Scrapes are not counted: Prometheus counts them itself, and the exposition guidelines
  // ask exporters not to.
  if (match.kind == RouteMatch::Kind::kFound && match.index == telemetry_index_) return;
  const size_t handler = match.route != nullptr ? match.index : router_.size();
  access_->metrics().CountResponse(handler, LastResponseStatus());
}

void HttpServer::Serve(mg_connection* conn, const RouteMatch& match, const RequestHeadVerdict& head,
                       std::chrono::steady_clock::time_point begin) {
  switch (match.kind) {
    case RouteMatch::Kind::kNotFound:
      return WriteJsonError(conn, 404, "not_found", "no such endpoint");
    case RouteMatch::Kind::kMethodNotAllowed: {
      std::string allow = "Allow: ";
      allow.append(match.allow);
      allow.append("\r\n");
      return WriteJsonError(conn, 405, "method_not_allowed",
                            "method " + Printable(head.method, 32) + " is not allowed here", allow);
    }
    case RouteMatch::Kind::kFound:
      break;
  }
  if (head.method == "GET" || head.method == "HEAD") {
    // A body has no meaning here: it is left unread and the connection ends with the answer.
    if (head.has_body()) CloseAfterResponse(conn);
  } else if (!limits_.ReadBody(conn, head, begin + body_window_)) {
    return;
  }
  const HttpRequest request(conn, head.method, head.path, head.query, RequestLimits::Body(),
                            t_caller, access_->ClientOf(conn));
  HttpResponse response(conn, head.method == "HEAD");
  // An exception must not reach CivetWeb's worker thread (it would end the process).
  try {
    match.route->handler(request, response);
  } catch (const std::exception& e) {
    spdlog::error("http: the handler of {} failed: {}", Quote(Printable(head.path)),
                  Printable(e.what()));
  } catch (...) {
    spdlog::error("http: the handler of {} failed with an unknown exception",
                  Quote(Printable(head.path)));
  }
  if (!response.sent()) {
    response.Error(500, "internal_error", "the request could not be handled; see the log");
  }
}

void HttpServer::ServeMetrics(const HttpRequest& request, HttpResponse& response) const {
  const SnapshotRing::ReadGuard snapshot = ring_.Acquire();
  if (!snapshot) return response.Error(503, "not_ready", "no sample has been published yet");
  const std::optional<std::string_view> accept_encoding = request.Header("Accept-Encoding");
  if (accept_encoding && AcceptsGzip(*accept_encoding)) {
    return response.Send(200, kMetricsContentType, snapshot->metrics_gzip,
                         "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n");
  }
  response.Send(200, kMetricsContentType, snapshot->metrics_text, "Vary: Accept-Encoding\r\n");
}

void HttpServer::ServeHealth(HttpResponse& response) const {
  const SnapshotRing::ReadGuard snapshot = ring_.Acquire();
  if (!snapshot) return response.Error(503, "not_ready", "no sample has been published yet");
  response.Json(200, snapshot->health_json);
}

void HttpServer::ServeReady(HttpResponse& response) const {
  if (!ring_.HasSnapshot()) {
    return response.Error(503, "not_ready", "no sample has been published yet");
  }
  response.Text(200, "upkeep is ready.\n");
}

}  // namespace upkeep
