#pragma once

// A real HTTP server on 127.0.0.1 for testing HTTP clients: it reads each request head and
// answers with the bytes the test scripted, after an optional delay. One connection at a time.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace upkeep::testing {

struct ScriptedReply {
  std::string raw;                     // sent verbatim: status line, headers and body
  std::chrono::milliseconds delay{0};  // after the request head arrived, before answering
  bool close_without_reply = false;    // hang up instead of answering
};

class ScriptedHttpServer {
 public:
  ScriptedHttpServer();  // binds 127.0.0.1 on an ephemeral port and starts serving
  ~ScriptedHttpServer();
  ScriptedHttpServer(const ScriptedHttpServer&) = delete;
  ScriptedHttpServer& operator=(const ScriptedHttpServer&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path) const;

  void SetReply(ScriptedReply reply);
  // The request heads received so far.
  std::vector<std::string> Requests() const;

  // A complete response with Content-Length.
  static std::string Response(int status, const std::string& reason, const std::string& body,
                              const std::string& content_type = "application/json");

 private:
  void Serve();
  void Handle(int fd);
  bool SleepUnlessStopping(std::chrono::milliseconds delay);

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  mutable std::mutex mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  ScriptedReply reply_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace upkeep::testing
