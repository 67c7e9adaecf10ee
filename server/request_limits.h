#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>

struct mg_connection;

namespace upkeep {

struct RequestHeadVerdict;

// The body half of the request hardening (CheckRequestHead is the head half): the size limit
// (413) and a deadline for the body (408).
//
// A declared Content-Length over the limit is refused before a byte of the body is read.
// Bodies are read only for a request whose route and method take one (after access control),
// into a per-thread buffer (Body()). They must come with Content-Length: a chunked body gets
// 411, because CivetWeb reads a chunk's size line inside one mg_read call that waits for each
// byte in turn, which no deadline of ours could interrupt.
//
// The body is read one byte per mg_read: CivetWeb hands over what arrived with the head from
// its buffer (a copy, no system call), and each further byte waits at most CivetWeb's
// request_timeout_ms for silence. So the deadline is checked between bytes, and a client that
// trickles a byte every few seconds is cut off at the deadline plus at most one such wait.
class RequestLimits {
 public:
  static constexpr size_t kDefaultMaxBodyBytes = 64 * 1024;

  explicit RequestLimits(size_t max_body_bytes);

  // False (and the 413 written) for a declared body over the limit.
  bool AdmitDeclaredSize(mg_connection* conn, const RequestHeadVerdict& head) const;

  // Reads the body the head declares, starting no read after `deadline`. False when the
  // request must not go on: the 408, 411 or 400 has been written (or the client is gone).
  bool ReadBody(mg_connection* conn, const RequestHeadVerdict& head,
                std::chrono::steady_clock::time_point deadline) const;

  // The body ReadBody read for the request being handled on this thread ("" for none).
  static std::string_view Body();
  // Forgets the previous request's body (and a buffer that grew large).
  static void ResetBody();

  size_t max_body_bytes() const { return max_body_bytes_; }

 private:
  size_t max_body_bytes_;
};

// Writes, as a JSON error, a request error that CivetWeb found before any handler ran
// (its http_error callback), and returns the status sent. CivetWeb's statuses are mapped to
// the precise ones: 411 for a malformed or negative Content-Length becomes 400, and 413 for a
// request head over its buffer becomes 431 (measured: 1.15 reports a head over
// max_request_size as 400 "Malformed message" in practice, so that is what clients see). The
// connection is closed afterwards.
int WriteRequestError(mg_connection* conn, int civetweb_status);

}  // namespace upkeep
