#include "server/http_response.h"

#include <civetweb.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

namespace upkeep {
namespace {

constexpr std::string_view kNoStoreHeaders =
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";

void AppendNumber(std::string& out, size_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

// HTTP/1.0 clients and "Connection: close" requests get a closed connection; everyone
// else keeps it (CivetWeb runs with enable_keep_alive=yes).
bool ClientWantsClose(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  const char* connection = mg_get_header(conn, "Connection");
  const bool http10 =
      info->http_version != nullptr && std::string_view(info->http_version) == "1.0";
  if (connection == nullptr) return http10;
  if (mg_strcasecmp(connection, "close") == 0) return true;
  return http10 && mg_strcasecmp(connection, "keep-alive") != 0;
}

}  // namespace

std::string_view StatusText(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

namespace {
thread_local int t_last_status = 0;
thread_local bool t_close_after = false;
}  // namespace

void ResetLastResponseStatus() {
  t_last_status = 0;
  t_close_after = false;
}
int LastResponseStatus() { return t_last_status; }

void CloseAfterResponse(mg_connection* conn) {
  t_close_after = true;
  mg_disable_connection_keep_alive(conn);
}

void WriteResponse(mg_connection* conn, int status, std::string_view content_type,
                   std::string_view body, std::string_view extra_headers, bool head_only) {
  t_last_status = status;
  thread_local std::string buffer;
  buffer.clear();
  buffer.append("HTTP/1.1 ");
  AppendNumber(buffer, static_cast<size_t>(status));
  buffer.push_back(' ');
  buffer.append(StatusText(status));
  buffer.append("\r\nContent-Type: ");
  buffer.append(content_type);
  buffer.append("\r\nContent-Length: ");
  AppendNumber(buffer, body.size());
  buffer.append("\r\n");
  buffer.append(extra_headers);
  // An error follows a malformed or refused request, whose body may be unread or whose framing
  // cannot be trusted: the connection ends with it, so nothing after it is read as a request.
  const bool close = status >= 400 || t_close_after;
  if (close) mg_disable_connection_keep_alive(conn);
  if ((close || ClientWantsClose(conn)) &&
      extra_headers.find("Connection: close") == std::string_view::npos) {
    buffer.append("Connection: close\r\n");
  }
  buffer.append("\r\n");
  if (!head_only) buffer.append(body);
  mg_write(conn, buffer.data(), buffer.size());
}

std::string JsonErrorBody(std::string_view code, std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void WriteJsonError(mg_connection* conn, int status, std::string_view code,
                    std::string_view message, std::string_view extra_headers) {
  std::string headers(kNoStoreHeaders);
  headers.append(extra_headers);
  const char* method = mg_get_request_info(conn)->request_method;
  const bool head = method != nullptr && std::string_view(method) == "HEAD";
  WriteResponse(conn, status, "application/json", JsonErrorBody(code, message), headers, head);
}

bool HttpResponse::Claim(int status) {
  if (sent_) return false;
  sent_ = true;
  status_ = status;
  return true;
}

void HttpResponse::Send(int status, std::string_view content_type, std::string_view body,
                        std::string_view extra_headers) {
  if (Claim(status)) WriteResponse(conn_, status, content_type, body, extra_headers, head_only_);
}

void HttpResponse::Json(int status, std::string_view json, std::string_view extra_headers) {
  if (!Claim(status)) return;
  if (extra_headers.empty()) {
    return WriteResponse(conn_, status, "application/json", json, kNoStoreHeaders, head_only_);
  }
  std::string headers(kNoStoreHeaders);
  headers.append(extra_headers);
  WriteResponse(conn_, status, "application/json", json, headers, head_only_);
}

void HttpResponse::Text(int status, std::string_view text, std::string_view extra_headers) {
  Send(status, "text/plain; charset=utf-8", text, extra_headers);
}

void HttpResponse::Error(int status, std::string_view code, std::string_view message,
                         std::string_view extra_headers) {
  Json(status, JsonErrorBody(code, message), extra_headers);
}

}  // namespace upkeep
