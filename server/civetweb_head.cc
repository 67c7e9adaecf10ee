#include "server/civetweb_head.h"

#include <civetweb.h>

#include <cstring>

namespace upkeep {
namespace {

// Bytes read past the last field, at most: "\r\n\r\n" (its last byte CivetWeb's NUL).
constexpr size_t kEndBytes = 4;

RecoveredHead CutShort(std::string_view why) {
  RecoveredHead recovered;
  recovered.kind = RecoveredHead::Kind::kCutShort;
  recovered.why = why;
  return recovered;
}

// Copies [from, to), each NUL turned into `fill` (and the one at `query_mark` into '?').
void CopySplit(std::string& out, const char* from, const char* to, const char* query_mark) {
  for (const char* p = from; p < to; ++p) {
    if (*p != '\0') {
      out.push_back(*p);
    } else {
      out.push_back(p == query_mark ? '?' : ' ');
    }
  }
}

// A line end of `nuls` NULs: CRLF for two, a bare LF for one (which the checker refuses), and
// CRLF then spaces for more (an empty or whitespace line before a field: refused as folding).
void AppendLineEnd(std::string& out, size_t nuls) {
  if (nuls == 1) {
    out.push_back('\n');
    return;
  }
  out.append("\r\n");
  if (nuls > 2) out.append(nuls - 2, ' ');
}

std::string_view WhatStopped(char first) {
  if (first == ' ') return "obsolete line folding (a header line starting with whitespace)";
  if (first == ':') return "a header line without a field name";
  return "a header line that is not a field, or a line ended by a bare LF";
}

}  // namespace

RecoveredHead RecoverRequestHead(const mg_request_info& info, const char* query_mark,
                                 std::string& out) {
  RecoveredHead recovered;
  out.clear();
  const char* method = info.request_method;
  const char* uri = info.request_uri;
  if (method == nullptr || uri == nullptr || info.http_version == nullptr || info.num_headers < 0 ||
      info.num_headers > MG_MAX_HEADERS) {
    return recovered;
  }
  // CivetWeb steps http_version past "HTTP/" once it has checked it.
  const char* version = info.http_version - 5;
  if (!(method < uri && uri < version) || std::strncmp(version, "HTTP/", 5) != 0) {
    return recovered;
  }
  CopySplit(out, method, uri, nullptr);
  CopySplit(out, uri, version, query_mark);
  const char* end = info.http_version + std::strlen(info.http_version);
  out.append(version, end);

  if (info.num_headers == 0) {
    // The request line's CRLF; both bytes are inside the head whatever ends it.
    if (end[0] != '\0' || end[1] != '\0') return CutShort(WhatStopped(end[1]));
    out.append("\r\n\r\n");
    recovered.kind = RecoveredHead::Kind::kComplete;
    return recovered;
  }
  const char* next = info.http_headers[0].name;
  for (int i = 0; i < info.num_headers; ++i) {
    // Between the previous line's end and this name: only CivetWeb's NULs.
    if (next < end) return RecoveredHead();
    for (const char* p = end; p < next; ++p) {
      if (*p != '\0') return RecoveredHead();
    }
    AppendLineEnd(out, static_cast<size_t>(next - end));
    const mg_header& field = info.http_headers[i];
    const char* name_end = field.name + std::strlen(field.name);
    const char* value = field.value;
    if (value <= name_end) return RecoveredHead();
    // The NUL over the colon, after NULs over any spaces before it; then the spaces CivetWeb
    // skipped before the value, left as they were.
    const char* after = name_end;
    while (after < value && *after == '\0') ++after;
    out.append(field.name, name_end);
    out.append(static_cast<size_t>(after - name_end) - 1, ' ');
    out.push_back(':');
    out.append(after, value);
    end = value + std::strlen(value);
    out.append(value, end);
    next = i + 1 < info.num_headers ? info.http_headers[i + 1].name : nullptr;
  }
  // After the last field: its CRLF (two NULs), then the empty line, "\r" and the NUL CivetWeb
  // wrote over its LF. The head fills at most the buffer, and `end` lies in it; the few bytes
  // read here are the head's own unless the head ends right before them with a bare LF, so a
  // head that comes near the buffer's end is not looked at further.
  if (static_cast<size_t>(end - method) + kEndBytes >= kCivetwebHeadBuffer) {
    return CutShort("the request head is too close to CivetWeb's 16 KiB limit");
  }
  if (end[0] != '\0') return RecoveredHead();
  if (end[1] != '\0') return CutShort(WhatStopped(end[1]));
  if (end[2] == '\r' && end[3] == '\0') {
    out.append("\r\n\r\n");
    recovered.kind = RecoveredHead::Kind::kComplete;
    return recovered;
  }
  return CutShort(WhatStopped(end[2]));
}

}  // namespace upkeep
