#pragma once

// A minimal HTTP/1.1 client for tests: real sockets to 127.0.0.1, one request per
// connection (Connection: close) unless a KeepAliveConnection is used.

#include <cstdint>
#include <map>
#include <string>

namespace upkeep::testing {

struct HttpResponse {
  int status = 0;                              // 0: no response (connection failed)
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// Sends `raw_request` verbatim and reads the whole response until the server closes.
HttpResponse SendRaw(uint16_t port, const std::string& raw_request, int timeout_ms = 10000);

// GET/HEAD/POST... with optional extra header lines ("Name: value\r\n").
HttpResponse Request(uint16_t port, const std::string& method, const std::string& path,
                     const std::string& extra_headers = "", const std::string& body = "");

// Parses a complete response (status line, headers, body by Content-Length or to the end).
HttpResponse ParseResponse(const std::string& raw, bool head_request);

// Decodes a gzip body; throws std::runtime_error if it is not valid gzip.
std::string Gunzip(const std::string& compressed);

}  // namespace upkeep::testing
