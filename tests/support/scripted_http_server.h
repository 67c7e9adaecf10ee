#pragma once

// A real HTTP server on 127.0.0.1 for testing HTTP clients: it reads each request head and
// answers with the bytes the test scripted, after an optional delay. One connection at a time.
// With a certificate and key it speaks HTTPS (OpenSSL), the same script inside TLS.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX, kept out of this header

namespace upkeep::testing {

struct ScriptedTls {
  std::string cert_file;  // PEM: the server certificate (then any intermediates)
  std::string key_file;   // PEM: its private key
};

struct ScriptedReply {
  std::string raw;                     // sent verbatim: status line, headers and body
  std::chrono::milliseconds delay{0};  // after the request head arrived, before answering
  bool close_without_reply = false;    // hang up instead of answering
};

class ScriptedHttpServer {
 public:
  ScriptedHttpServer();  // binds 127.0.0.1 on an ephemeral port and starts serving
  explicit ScriptedHttpServer(const ScriptedTls& tls);  // the same, over TLS
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;  // http:// or https://127.0.0.1:PORT/path

  void SetReply(ScriptedReply reply);
  // The request heads received so far.
  std::vector<std::string> Requests() const;
  // TLS handshakes that failed (a client that refused the certificate, say).
  int FailedHandshakes() const;

  // A complete response with Content-Length.
  static std::string Response(int status, const std::string& reason, const std::string& body,
                              const std::string& content_type = "application/json");

 private:
  void Start();
  void Serve();
  void Handle(int fd);
  bool SleepUnlessStopping(std::chrono::milliseconds delay);

  ssl_ctx_st* tls_context_ = nullptr;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  ScriptedReply reply_;
  std::vector<std::string> requests_;
  int failed_handshakes_ = 0;
  std::thread thread_;
};

}  // namespace upkeep::testing
