#pragma once

// A small HTTP/1.1 GET client for the queue's http source: plain http:// over a TCP socket,
// one request per connection, every step (name lookup, connect, send, receive) inside one
// deadline enforced with poll(). No TLS, no redirects, no compression: the queue endpoint is
// the managed service's own summary, usually on the same host.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

struct HttpUrl {
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  uint16_t port = 80;
  std::string target = "/";  // path and query, as sent in the request line
  std::string host_header;   // the Host header: host (bracketed if IPv6) and any explicit port
};

// Parses "http://HOST[:PORT][/PATH][?QUERY]" (a "#fragment" is dropped). https:// and other
// schemes, credentials in the URL and characters that cannot go on a request line are errors
// that say so.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct HttpReply {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;                            // de-chunked
};

// Parses a whole HTTP/1.x response as read from a socket. With `at_eof` false, returns nullopt
// while the response is not complete yet (more bytes are needed); with `at_eof` true (the server
// closed), a body without Content-Length or chunking ends there, and a cut-off body is an error.
// Bodies longer than `max_body` are an error. Pure.
Result<std::optional<HttpReply>> ParseHttpResponse(std::string_view raw, bool at_eof,
                                                   size_t max_body);

struct HttpGetOptions {
  std::chrono::milliseconds timeout{1000};  // for the whole exchange
  std::string bearer_token;                 // sent as "Authorization: Bearer ..." when set
  size_t max_body = 1 << 20;
};

// GETs `url`, all of it within options.timeout. Any HTTP status is a reply; errors are for what
// kept one from arriving (lookup, connect, timeout, a malformed or oversized response).
Result<HttpReply> HttpGet(const HttpUrl& url, const HttpGetOptions& options);

}  // namespace upkeep
