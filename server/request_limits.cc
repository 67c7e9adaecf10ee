#include "server/request_limits.h"

#include <civetweb.h>
#include <spdlog/spdlog.h>

#include <string>

#include "common/text.h"
#include "server/http_response.h"
#include "server/request_head.h"

namespace upkeep {
namespace {

// A per-thread buffer that grew past this is released after use: 512 workers that each once
// read a 64 KiB body should not keep 32 MB.
constexpr size_t kKeptBufferCapacity = 16 * 1024;

thread_local std::string t_body;

std::string OverTheLimit(size_t limit) {
  return "the request body is over the limit of " + std::to_string(limit) +
         " bytes (web.max_body_bytes)";
}

// Answers 408 and logs it, once for the request.
bool TimedOut(mg_connection* conn, const RequestHeadVerdict& head, size_t received,
              size_t declared) {
  spdlog::warn("http: client {} {} {}: 408, {} of {} body bytes within web.request_timeout",
               mg_get_request_info(conn)->remote_addr, Printable(head.method, 32),
               Quote(Printable(head.path)), received, declared);
  WriteJsonError(conn, 408, "request_timeout",
                 "the request (head and body) did not arrive within web.request_timeout");
  return false;
}

}  // namespace

RequestLimits::RequestLimits(size_t max_body_bytes) : max_body_bytes_(max_body_bytes) {}

std::string_view RequestLimits::Body() { return t_body; }

void RequestLimits::ResetBody() {
  if (t_body.capacity() > kKeptBufferCapacity) {
    std::string().swap(t_body);
  } else {
    t_body.clear();
  }
}

bool RequestLimits::AdmitDeclaredSize(mg_connection* conn, const RequestHeadVerdict& head) const {
  if (head.content_length.value_or(0) <= max_body_bytes_) return true;
  WriteJsonError(conn, 413, "body_too_large", OverTheLimit(max_body_bytes_));
  return false;
}

bool RequestLimits::ReadBody(mg_connection* conn, const RequestHeadVerdict& head,
                             std::chrono::steady_clock::time_point deadline) const {
  if (head.chunked) {
    WriteJsonError(conn, 411, "length_required",
                   "a request body must come with Content-Length (chunked bodies are not read)");
    return false;
  }
  const size_t declared = static_cast<size_t>(head.content_length.value_or(0));
  if (declared == 0) return true;
  const char* expect = mg_get_header(conn, "Expect");
  if (expect != nullptr && mg_strcasecmp(expect, "100-continue") == 0) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    mg_write(conn, kContinue.data(), kContinue.size());
  }
  t_body.resize(declared);
  for (size_t received = 0; received < declared; ++received) {
    if (std::chrono::steady_clock::now() >= deadline) {
      t_body.clear();
      return TimedOut(conn, head, received, declared);
    }
    const int n = mg_read(conn, t_body.data() + received, 1);
    if (n == 1) continue;
    t_body.clear();
    if (n < 0) {
      mg_disable_connection_keep_alive(conn);
      return false;  // the client closed: nobody to answer
    }
    // Silent for CivetWeb's whole read wait: as late as a missed deadline.
    return TimedOut(conn, head, received, declared);
  }
  return true;
}

int WriteRequestError(mg_connection* conn, int civetweb_status) {
  switch (civetweb_status) {
    case 411:
      WriteJsonError(conn, 400, "invalid_content_length",
                     "Content-Length must be one non-negative decimal number");
      return 400;
    case 413:
      WriteJsonError(conn, 431, "headers_too_large",
                     "the request line and headers are over the server's limit");
      return 431;
    case 400:
      // CivetWeb 1.15 also reports a request head over its buffer (max_request_size, 16 KiB)
      // and a head cut short by its read timeout as 400 "Malformed message".
      WriteJsonError(conn, 400, "bad_request",
                     "malformed request, request line and headers over 16 KiB, or not "
                     "received in time (web.request_timeout)");
      return 400;
    case 505:
      WriteJsonError(conn, 505, "http_version_not_supported", "only HTTP/1.0 and 1.1 are served");
      return 505;
    default:
      WriteJsonError(conn, civetweb_status, "error", std::string(StatusText(civetweb_status)));
      return civetweb_status;
  }
}

}  // namespace upkeep
