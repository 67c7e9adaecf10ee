#pragma once

// A small HTTP GET client on libcurl for the queue's http source: http:// or https:// (TLS
// always verified), one easy handle per request, the whole exchange (lookup, connect, TLS,
// request, response) inside one timeout. No redirects are followed, no proxy is taken from the
// environment, and the body is capped while it arrives.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

struct HttpUrl {
  bool https = false;
  std::string host;  // a name, an IPv4 address, or an IPv6 address without its brackets
  uint16_t port = 80;
  std::string target = "/";  // path and query, as sent in the request line
  std::string host_header;   // the Host header: host (bracketed if IPv6) and any explicit port

  // The URL again, normalised: lower-case scheme, no fragment, a target starting with "/".
  std::string Text() const;
};

// Parses "http[s]://HOST[:PORT][/PATH][?QUERY]" (a "#fragment" is dropped). Other schemes,
// credentials in the URL and characters that cannot go on a request line are errors that say
// so.
Result<HttpUrl> ParseHttpUrl(std::string_view url);

struct HttpReply {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // of the final response; names lower-cased
  std::string body;                            // de-chunked
};

struct HttpGetOptions {
  std::chrono::milliseconds timeout{1000};  // for the whole exchange
  std::string bearer_token;                 // sent as "Authorization: Bearer ..." when set
  size_t max_body = 1 << 20;
  std::string ca_file;  // PEM file of CAs to trust for https:// instead of the system's
};

// Initialises libcurl once per process; safe to call any number of times from any thread.
// HttpGet calls it itself, so calling it early (from main) only moves the cost to start-up.
Status HttpClientGlobalInit();

// GETs `url`, all of it within options.timeout. Any HTTP status is a reply; errors are for what
// kept one from arriving (lookup, connect, timeout, TLS verification, a malformed or oversized
// response). Each error reads "GET <url>: <why>" and never contains the bearer token.
Result<HttpReply> HttpGet(const HttpUrl& url, const HttpGetOptions& options);

}  // namespace upkeep
