#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace upkeep {

// What CheckRequestHead found: either a refusal (status 400, 431, 501 or 505, with the JSON
// error's code and message) or the framing and target of an acceptable request. The views
// point into the head that was checked.
struct RequestHeadVerdict {
  int status = 0;  // 0 = accepted
  std::string_view code;
  std::string message;

  std::string_view method;
  std::string_view path;   // the target before '?', exactly as sent
  std::string_view query;  // after '?', "" for none
  bool http10 = false;
  std::optional<uint64_t> content_length;  // one value, however many times it was sent
  bool chunked = false;                    // Transfer-Encoding: chunked

  explicit operator bool() const { return status == 0; }
  // True when a body follows the head (chunked, or a non-zero Content-Length).
  bool has_body() const { return chunked || content_length.value_or(0) > 0; }
};

// The most header fields a request may have: CivetWeb 1.15 keeps 64 and silently ignores the
// rest, so a request that may have lost one is refused.
inline constexpr size_t kMaxHeaderFields = 63;

// Checks a request head (the request line through the empty line that ends the header
// section, exactly as sent) as strictly as RFC 9112 lets a server. Pure and total: any input
// gives a verdict, so it is fuzzed. Refused with 400:
// - any line not ended by CRLF (a bare LF or CR), a NUL or another control byte (HTAB only
//   inside a field value), bytes after the empty line;
// - a request line other than `token SP origin-form SP HTTP/1.x` (one space each, the target
//   starting with '/', printable ASCII, no fragment);
// - a path holding percent-encoding (our paths are plain ASCII: an encoded byte, %00 above all,
//   could only disguise one) or a "." or ".." segment, i.e. whose decoded form differs from it;
// - an obsolete folded line (starting with SP or HTAB), a line without a name or colon, a
//   field name that is not a token or is followed by whitespace before the colon;
// - for HTTP/1.1 no Host or more than one (HTTP/1.0: at most one), a Host that is not host[:port];
// - a Content-Length that is not plain digits (1 to 18 of them), or several that differ;
// - Transfer-Encoding together with Content-Length, in an HTTP/1.0 request, or without
//   chunked as its final coding.
// A transfer coding other than chunked before the final chunked gets 501 (RFC 9112 6.1: not
// implemented), an HTTP version other than 1.0 and 1.1 505, more than kMaxHeaderFields
// fields 431. Leading empty lines before the request line are skipped (RFC 9112 2.2).
RequestHeadVerdict CheckRequestHead(std::string_view head);

}  // namespace upkeep
