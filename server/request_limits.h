#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

struct mg_connection;

namespace upkeep {

// Request hardening before routing: the body limit (413), a well-formed Content-Length (400),
// at most 63 header fields (431: CivetWeb silently drops those past 64) and a bounded time to
// receive the body (408; each read is also bounded by CivetWeb's request_timeout).
//
// A declared Content-Length over the limit is refused before a byte of the body is read. A
// chunked body is read up to the limit and refused (413) when it goes past. A request with
// neither Content-Length nor Transfer-Encoding has an empty body. Bodies within the limit are
// read here, whatever the route, into a per-thread buffer (Body()), so that the connection can
// be kept alive and handlers that take a body find it read and bounded.
class RequestLimits {
 public:
  static constexpr size_t kDefaultMaxBodyBytes = 64 * 1024;

  RequestLimits(size_t max_body_bytes, std::chrono::milliseconds body_timeout);

  // True when the request may go on. Otherwise the error response (400, 408 or 413, each with
  // Connection: close) is written, unless the client is already gone.
  bool Admit(mg_connection* conn) const;

  // The body Admit() read for the request being handled on this thread ("" for none).
  static std::string_view Body();

  size_t max_body_bytes() const { return max_body_bytes_; }

 private:
  bool ReadBody(mg_connection* conn, size_t declared, bool chunked) const;

  size_t max_body_bytes_;
  std::chrono::milliseconds body_timeout_;
};

// Writes, as a JSON error, a request error that CivetWeb found before any handler ran
// (its http_error callback), and returns the status sent. CivetWeb's statuses are mapped to
// the precise ones: 411 for a malformed or negative Content-Length becomes 400, and 413 for a
// request head over its buffer becomes 431 (measured: 1.15 reports a head over
// max_request_size as 400 "Malformed message" in practice, so that is what clients see). The
// connection is closed afterwards.
int WriteRequestError(mg_connection* conn, int civetweb_status);

}  // namespace upkeep
