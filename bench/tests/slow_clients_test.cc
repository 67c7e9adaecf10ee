// bench/slow_clients against a real listening socket on 127.0.0.1: it must hold its
// connections, trickle the request a byte at a time without ever finishing it, and reconnect
// when the server drops one (as a server's request timeout does).

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "tests/support/daemon_process.h"

namespace upkeep::bench {
namespace {

using Clock = std::chrono::steady_clock;

class Listener {
 public:
  Listener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || listen(fd_, 64) != 0 ||
        getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(address.sin_port);
  }
  ~Listener() {
    for (auto& [fd, text] : received_) close(fd);
    close(fd_);
  }
  uint16_t port() const { return port_; }

  // Accepts and reads until `until`; the first connection is closed by us after `drop_after`.
  void Serve(Clock::time_point until, std::chrono::milliseconds drop_after) {
    const auto start = Clock::now();
    int first = -1;  // the first connection's fd, until it is dropped
    bool dropped = false;
    while (Clock::now() < until) {
      std::vector<pollfd> fds{{fd_, POLLIN, 0}};
      for (auto& [fd, text] : received_) {
        if (!ended_.contains(fd)) fds.push_back({fd, POLLIN, 0});
      }
      poll(fds.data(), fds.size(), 50);
      if (fds[0].revents & POLLIN) {
        const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (client >= 0) {
          received_[client];
          ++accepted_;
          if (first < 0 && !dropped) first = client;
        }
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        char buffer[256];
        const ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, 0);
        if (n > 0) {
          received_[fds[i].fd].append(buffer, static_cast<size_t>(n));
          ++reads_;
        } else {
          ended_.insert(fds[i].fd);  // the client hung up (it exits at the end)
        }
      }
      if (first >= 0 && Clock::now() - start > drop_after) {
        dropped_text_ = received_[first];
        received_.erase(first);
        close(first);
        first = -1;
        dropped = true;
      }
    }
  }

  int accepted() const { return accepted_; }
  int reads() const { return reads_; }
  const std::map<int, std::string>& received() const { return received_; }
  const std::string& dropped_text() const { return dropped_text_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
  int accepted_ = 0;
  int reads_ = 0;
  std::map<int, std::string> received_;
  std::set<int> ended_;
  std::string dropped_text_;
};

TEST(SlowClientsTest, TrickleRequestsWithoutFinishingThemAndReconnectWhenDropped) {
  Listener listener;
  testing::CommandResult result;
  std::thread client([&] {
    result = testing::RunCommand({SLOW_CLIENTS_BINARY, "--port", std::to_string(listener.port()),
                                  "--clients", "3", "--interval-ms", "200", "--seconds", "3"});
  });
  listener.Serve(Clock::now() + std::chrono::milliseconds(3500), std::chrono::milliseconds(1000));
  client.join();
  ASSERT_EQ(result.exit_status, 0) << result.output;

  // Three held connections, plus the one that replaced the connection we dropped.
  EXPECT_EQ(listener.accepted(), 4) << result.output;
  EXPECT_NE(result.output.find("closed_by_peer=1\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("opened=4\n"), std::string::npos) << result.output;

  const std::string kRequestStart = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  for (const auto& [fd, text] : listener.received()) {
    // A byte per 200 ms for at most 3 s: never more than ~16 bytes, and never the blank
    // line that would end the headers.
    EXPECT_GE(text.size(), 3u) << text;
    EXPECT_LE(text.size(), 17u) << text;
    EXPECT_EQ(kRequestStart.substr(0, text.size()), text);
    EXPECT_EQ(text.find("\r\n\r\n"), std::string::npos);
  }
  // The dropped one had been trickling for a second: a few bytes, not the whole request.
  EXPECT_GE(listener.dropped_text().size(), 2u);
  EXPECT_LE(listener.dropped_text().size(), 7u);
  // Bytes arrived one read at a time, not in one burst per connection.
  EXPECT_GE(listener.reads(), 10);
}

TEST(SlowClientsTest, StopsEarlyOnSigtermAndStillReportsItsCounts) {
  Listener listener;
  testing::CommandResult result;
  std::thread client([&] {
    // timeout(1) sends SIGTERM after 1 s and then exits 124 (the command timed out).
    result =
        testing::RunCommand({"timeout", "-s", "TERM", "1", SLOW_CLIENTS_BINARY, "--port",
                             std::to_string(listener.port()), "--clients", "2", "--seconds", "60"});
  });
  const auto start = Clock::now();
  listener.Serve(start + std::chrono::milliseconds(1500), std::chrono::hours(1));
  client.join();
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(30));
  EXPECT_EQ(result.exit_status, 124) << result.output;
  EXPECT_NE(result.output.find("opened=2\n"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("open_at_end=2\n"), std::string::npos) << result.output;
}

TEST(SlowClientsTest, RejectsBadArguments) {
  EXPECT_EQ(testing::RunCommand({SLOW_CLIENTS_BINARY}).exit_status, 2);
  EXPECT_EQ(testing::RunCommand({SLOW_CLIENTS_BINARY, "--port", "0"}).exit_status, 2);
  EXPECT_EQ(testing::RunCommand({SLOW_CLIENTS_BINARY, "--port", "80", "--clients"}).exit_status, 2);
  EXPECT_EQ(testing::RunCommand({SLOW_CLIENTS_BINARY, "--port", "x"}).exit_status, 2);
}

}  // namespace
}  // namespace upkeep::bench
