#pragma once

// A minimal HTTPS client for tests (OpenSSL): one request per connection to 127.0.0.1.

#include <cstdint>
#include <string>

#include "tests/support/http_client.h"

namespace upkeep::testing {

struct TlsClientOptions {
  std::string ca_file;  // verify the server against this certificate ("" = no verification)
  int min_version = 0;  // e.g. TLS1_2_VERSION; 0 = OpenSSL's default
  int max_version = 0;  // e.g. TLS1_1_VERSION to try an old protocol; 0 = the newest
  int timeout_ms = 10000;
};

struct TlsExchange {
  bool handshake_ok = false;
  std::string error;      // why the handshake or the verification failed
  std::string protocol;   // "TLSv1.3", ...
  bool verified = false;  // the certificate chain and the IP 127.0.0.1 checked out
  HttpResponse response;  // status 0 when there was none
};

// Connects to 127.0.0.1:port, handshakes, sends `raw_request` and reads until the server
// closes (send "Connection: close").
TlsExchange TlsRequest(uint16_t port, const std::string& raw_request,
                       const TlsClientOptions& options);

}  // namespace upkeep::testing
