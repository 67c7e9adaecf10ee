#include "server/request_limits.h"

#include <civetweb.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>

#include "server/http_response.h"

namespace upkeep {
namespace {

constexpr std::string_view kCloseHeaders =
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n";
// A per-thread buffer that grew past this is released after use: 512 workers that each once
// read a 64 KiB body should not keep 32 MB.
constexpr size_t kKeptBufferCapacity = 16 * 1024;
constexpr uint64_t kMaxDigits = 18;      // below 2^63, so the value always fits
constexpr int kCivetwebMaxHeaders = 64;  // MG_MAX_HEADERS in CivetWeb 1.15

thread_local std::string t_body;

bool IsBlank(char ch) { return ch == ' ' || ch == '\t'; }

void WriteClosingError(mg_connection* conn, int status, std::string_view code,
                       std::string_view message) {
  const nlohmann::json body = {{"error", {{"code", code}, {"message", message}}}};
  const mg_request_info* info = mg_get_request_info(conn);
  const bool head =
      info->request_method != nullptr && std::string_view(info->request_method) == "HEAD";
  // Closing is what keeps the refused body unread: without it CivetWeb would read and
  // discard the rest of the body after the handler returns, to reuse the connection.
  mg_disable_connection_keep_alive(conn);
  WriteResponse(conn, status, "application/json", body.dump(), kCloseHeaders, head);
}

// Every Content-Length header must be plain digits, and all of them equal. (CivetWeb reads
// the first with strtoll, which takes "12abc", "+12" and " 12" as 12.)
bool ContentLengthIsClean(const mg_request_info* info) {
  std::string_view first;
  for (int i = 0; i < info->num_headers; ++i) {
    if (mg_strcasecmp(info->http_headers[i].name, "Content-Length") != 0) continue;
    std::string_view value = info->http_headers[i].value;
    while (!value.empty() && IsBlank(value.back())) value.remove_suffix(1);
    if (value.empty() || value.size() > kMaxDigits ||
        !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return false;
    }
    if (first.empty()) {
      first = value;
    } else if (value != first) {
      return false;
    }
  }
  return true;
}

bool HasHeader(const mg_request_info* info, const char* name) {
  for (int i = 0; i < info->num_headers; ++i) {
    if (mg_strcasecmp(info->http_headers[i].name, name) == 0) return true;
  }
  return false;
}

}  // namespace

RequestLimits::RequestLimits(size_t max_body_bytes, std::chrono::milliseconds body_timeout)
    : max_body_bytes_(max_body_bytes), body_timeout_(body_timeout) {}

std::string_view RequestLimits::Body() { return t_body; }

bool RequestLimits::Admit(mg_connection* conn) const {
  if (t_body.capacity() > kKeptBufferCapacity) {
    std::string().swap(t_body);
  } else {
    t_body.clear();
  }
  const mg_request_info* info = mg_get_request_info(conn);
  if (info->num_headers >= kCivetwebMaxHeaders) {
    // CivetWeb keeps the first 64 header fields and silently drops the rest, a Content-Length
    // or Authorization among them; a request that may have lost some is refused instead.
    WriteClosingError(
        conn, 431, "too_many_headers",
        "a request may have at most " + std::to_string(kCivetwebMaxHeaders - 1) + " header fields");
    return false;
  }
  if (info->content_length >= 0) {
    if (!ContentLengthIsClean(info)) {
      WriteClosingError(conn, 400, "invalid_content_length",
                        "Content-Length must be one non-negative decimal number");
      return false;
    }
    const auto declared = static_cast<uint64_t>(info->content_length);
    if (declared > max_body_bytes_) {
      WriteClosingError(conn, 413, "body_too_large",
                        "the request body is over the limit of " + std::to_string(max_body_bytes_) +
                            " bytes (web.max_body_bytes)");
      return false;
    }
    if (declared == 0) return true;
    return ReadBody(conn, static_cast<size_t>(declared), /*chunked=*/false);
  }
  // No Content-Length: only a chunked body has one. (CivetWeb answered any other
  // Transfer-Encoding but identity with 400 already.)
  const char* transfer_encoding = mg_get_header(conn, "Transfer-Encoding");
  if (transfer_encoding == nullptr || mg_strcasecmp(transfer_encoding, "chunked") != 0) {
    return true;
  }
  if (HasHeader(info, "Content-Length")) {
    // Both framings at once is how requests are smuggled past proxies (RFC 9112 6.1).
    WriteClosingError(conn, 400, "bad_request",
                      "a request must not have both Transfer-Encoding and Content-Length");
    return false;
  }
  return ReadBody(conn, max_body_bytes_, /*chunked=*/true);
}

bool RequestLimits::ReadBody(mg_connection* conn, size_t declared, bool chunked) const {
  const char* expect = mg_get_header(conn, "Expect");
  if (expect != nullptr && mg_strcasecmp(expect, "100-continue") == 0) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    mg_write(conn, kContinue.data(), kContinue.size());
  }
  // Room for one byte more than a chunked body may have, to see that it went past.
  const size_t room = chunked ? max_body_bytes_ + 1 : declared;
  t_body.resize(room);
  size_t received = 0;
  const auto deadline = std::chrono::steady_clock::now() + body_timeout_;
  while (received < room) {
    const int n = mg_read(conn, t_body.data() + received, room - received);
    if (n == 0) break;  // the end of a chunked body, or the client closed
    if (n < 0) {
      t_body.clear();
      WriteClosingError(conn, 400, "bad_request", "the request body could not be read");
      return false;
    }
    received += static_cast<size_t>(n);
    if (std::chrono::steady_clock::now() > deadline) {
      t_body.clear();
      WriteClosingError(conn, 408, "request_timeout",
                        "the request body did not arrive within web.request_timeout");
      return false;
    }
  }
  if (chunked && received > max_body_bytes_) {
    t_body.clear();
    WriteClosingError(conn, 413, "body_too_large",
                      "the request body is over the limit of " + std::to_string(max_body_bytes_) +
                          " bytes (web.max_body_bytes)");
    return false;
  }
  if (!chunked && received < declared) {
    t_body.clear();
    return false;  // the client closed early: nobody to answer
  }
  t_body.resize(received);
  return true;
}

int WriteRequestError(mg_connection* conn, int civetweb_status) {
  switch (civetweb_status) {
    case 411:
      WriteClosingError(conn, 400, "invalid_content_length",
                        "Content-Length must be one non-negative decimal number");
      return 400;
    case 413:
      WriteClosingError(conn, 431, "headers_too_large",
                        "the request line and headers are over the server's limit");
      return 431;
    case 400:
      // CivetWeb 1.15 also reports a request head over its buffer (max_request_size, 16 KiB)
      // and a head cut short by request_timeout as 400 "Malformed message".
      WriteClosingError(conn, 400, "bad_request",
                        "malformed request, request line and headers over 16 KiB, or not "
                        "received within web.request_timeout");
      return 400;
    case 505:
      WriteClosingError(conn, 505, "http_version_not_supported",
                        "only HTTP/1.0 and 1.1 are served");
      return 505;
    default:
      WriteClosingError(conn, civetweb_status, "error", std::string(StatusText(civetweb_status)));
      return civetweb_status;
  }
}

}  // namespace upkeep
