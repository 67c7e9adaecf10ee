#pragma once

// The real upkeep binary as the end-to-end suite drives it: an admin token, a config file, the
// daemon started and killed, and its HTTP API on 127.0.0.1 (check, execute, status, history,
// health, metrics).

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {

class UpkeepUnderTest {
 public:
  // Tokens and the config go into `dir`.
  explicit UpkeepUnderTest(std::string dir);

  const std::string& tokens_file() const { return tokens_file_; }
  // Writes the config file (the caller's YAML, which names tokens_file()).
  void Configure(const std::string& yaml);
  // Starts the daemon on the config (a failed start is a test failure; started() says).
  void Start();
  bool started() const { return daemon_ != nullptr && daemon_->started(); }
  // SIGKILL, as a crash: nothing of the daemon runs afterwards. Its log stays readable.
  void Kill();
  // Everything the current daemon logged, and what earlier ones (before a Kill) had.
  std::string Log() const;

  HttpResponse AdminGet(const std::string& path_and_query) const;
  // POST execute; a synchronous run answers when it has ended, so the wait is long.
  HttpResponse Execute(const std::string& query = "") const;
  // GET update/check?refresh=true, which must answer 200; its body.
  nlohmann::json Check() const;
  // GET history, which must answer 200; its entries, newest first.
  nlohmann::json History() const;
  // GET status?id=ID, which must answer 200; its body.
  nlohmann::json Status(const std::string& id) const;
  // The health JSON's queue object once `predicate` holds for it (the queue is probed
  // periodically), or the last one after 15 s.
  template <typename Predicate>
  nlohmann::json QueueWhen(Predicate predicate) const;
  // /metrics once it holds every one of `lines` as whole lines, or its text after 15 s.
  std::string MetricsWith(const std::vector<std::string>& lines) const;

  static nlohmann::json Body(const HttpResponse& response);

 private:
  nlohmann::json Queue() const;

  std::string dir_;
  std::string tokens_file_;
  std::string config_;
  std::string admin_;
  std::string earlier_logs_;
  std::unique_ptr<DaemonProcess> daemon_;
};

template <typename Predicate>
nlohmann::json UpkeepUnderTest::QueueWhen(Predicate predicate) const {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  for (;;) {
    nlohmann::json queue = Queue();
    if (predicate(queue) || std::chrono::steady_clock::now() > deadline) return queue;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace upkeep::testing
