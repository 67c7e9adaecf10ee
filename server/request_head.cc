#include "server/request_head.h"

#include <algorithm>

#include "common/text.h"

namespace upkeep {
namespace {

constexpr size_t kMaxContentLengthDigits = 18;  // below 2^63, so the value always fits

bool IsTchar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), IsTchar);
}

// RFC 3986 pchar, without pct-encoded (handled by the caller), plus '/'.
bool IsPathChar(char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return std::string_view("-._~!$&'()*+,;=:@/").find(c) != std::string_view::npos;
}

// A field value byte: VCHAR, obs-text, SP or HTAB.
bool IsValueByte(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

// host [":" port], host being a reg-name, IPv4 or bracketed IP literal (loosely: the
// characters those may hold). Empty is allowed (RFC 9110 7.2).
bool IsHostValue(std::string_view host) {
  return std::all_of(host.begin(), host.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("-._~!$&'()*+,;=:[]%").find(c) != std::string_view::npos;
  });
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

RequestHeadVerdict Refuse(int status, std::string_view code, std::string message) {
  RequestHeadVerdict verdict;
  verdict.status = status;
  verdict.code = code;
  verdict.message = std::move(message);
  return verdict;
}

RequestHeadVerdict Bad(std::string message) {
  return Refuse(400, "bad_request", std::move(message));
}

// The next CRLF-terminated line of `rest` (without the CRLF), or nullopt when the next line
// ending is a bare CR or LF or there is none.
std::optional<std::string_view> TakeLine(std::string_view& rest) {
  const size_t end = rest.find_first_of("\r\n");
  if (end == std::string_view::npos || rest[end] != '\r' || end + 1 >= rest.size() ||
      rest[end + 1] != '\n') {
    return std::nullopt;
  }
  const std::string_view line = rest.substr(0, end);
  rest.remove_prefix(end + 2);
  return line;
}

// Checks the path part of an origin-form target: plain, since our routes are plain ASCII.
std::optional<std::string> PathProblem(std::string_view path) {
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%') {
      if (i + 2 < path.size() && path[i + 1] == '0' && path[i + 2] == '0') {
        return "the path holds an encoded NUL (%00)";
      }
      return "the path holds percent-encoding (no endpoint needs it)";
    }
    if (!IsPathChar(c)) return "the path holds a character a path may not have";
  }
  // Dot segments: the path would mean another one once they are resolved.
  for (size_t start = 0; start < path.size();) {
    const size_t slash = path.find('/', start + 1);
    const std::string_view segment =
        path.substr(start + 1, slash == std::string_view::npos ? path.npos : slash - start - 1);
    if (segment == "." || segment == "..") return "the path holds a dot segment";
    if (slash == std::string_view::npos) break;
    start = slash;
  }
  return std::nullopt;
}

RequestHeadVerdict CheckRequestLine(std::string_view line, RequestHeadVerdict& verdict) {
  const size_t first = line.find(' ');
  if (first == std::string_view::npos) return Bad("malformed request line");
  const size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos || line.find(' ', second + 1) != std::string_view::npos) {
    return Bad("malformed request line (method, target and version, one space apart)");
  }
  const std::string_view method = line.substr(0, first);
  const std::string_view target = line.substr(first + 1, second - first - 1);
  const std::string_view version = line.substr(second + 1);
  if (!IsToken(method)) return Bad("malformed request line (the method is not a token)");
  if (version.size() == 8 && version.starts_with("HTTP/") && version[6] == '.' &&
      version[5] >= '0' && version[5] <= '9' && version[7] >= '0' && version[7] <= '9') {
    if (version != "HTTP/1.1" && version != "HTTP/1.0") {
      return Refuse(505, "http_version_not_supported", "only HTTP/1.0 and 1.1 are served");
    }
  } else {
    return Bad("malformed request line (the version must be HTTP/1.0 or HTTP/1.1)");
  }
  if (target.empty() || target.front() != '/') {
    return Bad("the request target must be a path starting with '/'");
  }
  for (const char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return Bad("the request target holds a control or non-ASCII byte");
    if (c == '#') return Bad("the request target holds a fragment ('#')");
  }
  const size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  if (const std::optional<std::string> problem = PathProblem(path)) return Bad(*problem);
  verdict.method = method;
  verdict.path = path;
  verdict.query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  verdict.http10 = version == "HTTP/1.0";
  return verdict;
}

// Transfer-Encoding, all its fields as one list: chunked must be the final coding and appear
// once; any other coding is one we do not implement.
RequestHeadVerdict CheckTransferCodings(std::string_view codings, RequestHeadVerdict& verdict) {
  size_t count = 0;
  bool unknown = false;
  bool chunked_last = false;
  bool chunked_seen = false;
  while (true) {
    const size_t comma = codings.find(',');
    const std::string_view coding = Trim(codings.substr(0, comma));
    if (!coding.empty()) {
      ++count;
      chunked_last = EqualsIgnoreCase(coding, "chunked");
      if (chunked_last && chunked_seen) return Bad("Transfer-Encoding names chunked twice");
      chunked_seen = chunked_seen || chunked_last;
      if (!chunked_last) unknown = true;
    }
    if (comma == std::string_view::npos) break;
    codings.remove_prefix(comma + 1);
  }
  if (count == 0) return Bad("Transfer-Encoding is empty");
  if (!chunked_last) return Bad("Transfer-Encoding must end with chunked");
  if (unknown) {
    return Refuse(501, "not_implemented", "only the chunked transfer coding is implemented");
  }
  verdict.chunked = true;
  return verdict;
}

}  // namespace

RequestHeadVerdict CheckRequestHead(std::string_view head) {
  RequestHeadVerdict verdict;
  // RFC 9112 2.2: empty lines before the request line are ignored.
  while (head.starts_with("\r\n")) head.remove_prefix(2);
  for (const char ch : head) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == 0) return Bad("the request head holds a NUL byte");
    if (c < 0x20 && c != '\r' && c != '\n' && c != '\t') {
      return Bad("the request head holds a control character");
    }
    if (c == 0x7f) return Bad("the request head holds a control character");
  }
  std::string_view rest = head;
  const std::optional<std::string_view> request_line = TakeLine(rest);
  if (!request_line) return Bad("the request line does not end with CRLF");
  if (request_line->find('\t') != std::string_view::npos) return Bad("malformed request line");
  if (RequestHeadVerdict line = CheckRequestLine(*request_line, verdict); !line) return line;

  size_t fields = 0;
  size_t hosts = 0;
  bool has_content_length = false;
  bool has_transfer_encoding = false;
  std::string_view content_length;
  std::string transfer_codings;
  while (true) {
    const std::optional<std::string_view> line = TakeLine(rest);
    if (!line) return Bad("a header line does not end with CRLF (a bare CR or LF, or no end)");
    if (line->empty()) break;
    if (line->front() == ' ' || line->front() == '\t') {
      return Bad("obsolete line folding (a header line starting with whitespace)");
    }
    const size_t colon = line->find(':');
    if (colon == 0) return Bad("a header line without a field name");
    if (colon == std::string_view::npos) return Bad("a header line without a colon");
    const std::string_view name = line->substr(0, colon);
    if (name.back() == ' ' || name.back() == '\t') {
      return Bad("whitespace between a header field name and its colon");
    }
    if (!IsToken(name)) return Bad("a header field name that is not a token");
    const std::string_view value = Trim(line->substr(colon + 1));
    if (!std::all_of(value.begin(), value.end(), IsValueByte)) {
      return Bad("a header field value holds a control character");
    }
    if (++fields > kMaxHeaderFields) {
      return Refuse(
          431, "too_many_headers",
          "a request may have at most " + std::to_string(kMaxHeaderFields) + " header fields");
    }
    if (EqualsIgnoreCase(name, "Host")) {
      ++hosts;
      if (!IsHostValue(value)) return Bad("Host is not a host name or address with a port");
    } else if (EqualsIgnoreCase(name, "Content-Length")) {
      if (value.empty() || value.size() > kMaxContentLengthDigits ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return Refuse(400, "invalid_content_length",
                      "Content-Length must be one non-negative decimal number");
      }
      if (has_content_length && value != content_length) {
        return Refuse(400, "invalid_content_length",
                      "Content-Length must be one non-negative decimal number");
      }
      has_content_length = true;
      content_length = value;
    } else if (EqualsIgnoreCase(name, "Transfer-Encoding")) {
      has_transfer_encoding = true;
      if (!transfer_codings.empty()) transfer_codings.push_back(',');
      transfer_codings.append(value);
    }
  }
  if (!rest.empty()) return Bad("bytes after the end of the request head");
  if (hosts > 1) return Bad("more than one Host header");
  if (hosts == 0 && !verdict.http10) return Bad("an HTTP/1.1 request must have a Host header");
  if (has_transfer_encoding) {
    // Both framings at once is how requests are smuggled past proxies (RFC 9112 6.1), and
    // HTTP/1.0 has no transfer codings: the framing cannot be trusted either way.
    if (has_content_length) {
      return Bad("a request must not have both Transfer-Encoding and Content-Length");
    }
    if (verdict.http10) return Bad("Transfer-Encoding in an HTTP/1.0 request");
    if (RequestHeadVerdict codings = CheckTransferCodings(transfer_codings, verdict); !codings) {
      return codings;
    }
  }
  if (has_content_length) {
    uint64_t length = 0;
    for (const char c : content_length) length = length * 10 + static_cast<uint64_t>(c - '0');
    verdict.content_length = length;
  }
  return verdict;
}

}  // namespace upkeep
