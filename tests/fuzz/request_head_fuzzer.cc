// CheckRequestHead over arbitrary bytes: the head of a request exactly as a client sent it
// (the server recovers those bytes from CivetWeb's buffer before checking them).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/request_head.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool Inside(std::string_view part, std::string_view whole) {
  return part.empty() ||
         (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

std::string Lower(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
  return lower;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string head(reinterpret_cast<const char*>(data), size);
  const upkeep::RequestHeadVerdict verdict = upkeep::CheckRequestHead(head);
  const upkeep::RequestHeadVerdict again = upkeep::CheckRequestHead(head);
  FUZZ_CHECK(verdict.status == again.status);

  if (!verdict) {
    const int status = verdict.status;
    FUZZ_CHECK(status == 400 || status == 431 || status == 501 || status == 505);
    FUZZ_CHECK(!verdict.code.empty() && !verdict.message.empty());
    return 0;
  }
  // What is accepted is plain: one framing, an ASCII path of our shape, a Host for 1.1,
  // and a head that ends with its empty line and holds nothing a parser could read two ways.
  FUZZ_CHECK(Inside(verdict.method, head) && Inside(verdict.path, head) &&
             Inside(verdict.query, head));
  FUZZ_CHECK(!verdict.method.empty());
  FUZZ_CHECK(verdict.path.starts_with('/'));
  FUZZ_CHECK(verdict.path.find_first_of("%?# \r\n") == std::string_view::npos);
  FUZZ_CHECK(verdict.path.find("/../") == std::string_view::npos && !verdict.path.ends_with("/.."));
  FUZZ_CHECK(!(verdict.chunked && verdict.content_length.has_value()));
  FUZZ_CHECK(head.ends_with("\r\n\r\n"));
  FUZZ_CHECK(head.find('\0') == std::string::npos);
  FUZZ_CHECK(head.find("\r\n ") == std::string::npos && head.find("\r\n\t") == std::string::npos);
  FUZZ_CHECK(head.find("\r\n:") == std::string::npos);
  const std::string lower = Lower(head);
  if (!verdict.http10) FUZZ_CHECK(lower.find("\r\nhost:") != std::string::npos);
  if (verdict.chunked) FUZZ_CHECK(lower.find("\r\ntransfer-encoding:") != std::string::npos);
  if (verdict.content_length) FUZZ_CHECK(lower.find("\r\ncontent-length:") != std::string::npos);
  // Every LF is part of a CRLF.
  for (size_t at = head.find('\n'); at != std::string::npos; at = head.find('\n', at + 1)) {
    FUZZ_CHECK(at > 0 && head[at - 1] == '\r');
  }
  return 0;
}
