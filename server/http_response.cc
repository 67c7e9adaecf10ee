#include "server/http_response.h"

#include <civetweb.h>

#include <charconv>
#include <nlohmann/json.hpp>
#include <string>

namespace upkeep {
namespace {

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
    case 413:
      return "Content Too Large";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
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
}  // namespace

void ResetLastResponseStatus() { t_last_status = 0; }
int LastResponseStatus() { return t_last_status; }

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
  // (Error responses that close the connection pass their own Connection: close.)
  if (ClientWantsClose(conn) && extra_headers.find("Connection: close") == std::string_view::npos) {
    buffer.append("Connection: close\r\n");
  }
  buffer.append("\r\n");
  if (!head_only) buffer.append(body);
  mg_write(conn, buffer.data(), buffer.size());
}

void WriteJsonError(mg_connection* conn, int status, std::string_view code,
                    std::string_view message, std::string_view extra_headers) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  std::string headers = "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
  headers.append(extra_headers);
  const bool head = std::string_view(mg_get_request_info(conn)->request_method) == "HEAD";
  WriteResponse(conn, status, "application/json",
                body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace), headers, head);
}

}  // namespace upkeep
