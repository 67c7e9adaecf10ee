// The whole-request deadline (web.request_timeout for head and body together) and the body
// rules, through a real in-process HttpServer on 127.0.0.1 with a route that reads a body.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "exporter/snapshot_ring.h"
#include "server/http_server.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = 2000ms;

int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

bool Send(int fd, const std::string& bytes) {
  return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// Everything received until the server closes (or `limit` passes); `closed` tells which.
std::string ReadToClose(int fd, std::chrono::milliseconds limit, bool* closed = nullptr) {
  std::string raw;
  char buffer[4096];
  const auto until = Clock::now() + limit;
  bool eof = false;
  while (Clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      eof = true;
      break;
    }
    raw.append(buffer, static_cast<size_t>(n));
  }
  if (closed != nullptr) *closed = eof;
  return raw;
}

class RequestDeadlineTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    options.request_timeout = kRequestTimeout;
    ring_ = std::make_unique<SnapshotRing>();
    server_ = std::make_unique<HttpServer>(options, *ring_);
    Route echo;
    echo.path = "/echo";
    echo.methods = {"GET", "POST"};
    echo.access = Access::kPublic;
    echo.handler = [](const HttpRequest& request, HttpResponse& response) {
      handled_.fetch_add(1);
      response.Text(200, "got " + std::string(request.body()) + "\n");
    };
    server_->AddRoute(std::move(echo));
    server_->Start();
    port_ = server_->bound_port();
  }
  static void TearDownTestSuite() {
    server_.reset();
    ring_.reset();
  }

  static inline std::unique_ptr<SnapshotRing> ring_;
  static inline std::unique_ptr<HttpServer> server_;
  static inline uint16_t port_ = 0;
  static inline std::atomic<int> handled_{0};
};

TEST_F(RequestDeadlineTest, TheTimeoutIsSharedSoHeadAndBodyFitInIt) {
  HttpServerOptions options;
  options.request_timeout = 10s;
  options.keep_alive_timeout = 10s;
  const CivetwebTimeouts timeouts = SplitRequestTimeout(options);
  EXPECT_EQ(timeouts.read, 2500ms);
  EXPECT_EQ(timeouts.body, 2500ms);
  EXPECT_EQ(timeouts.keep_alive, 2500ms);
  // Head at most 2 x read, then body reads started within `body`, each waiting at most `read`.
  EXPECT_LE(2 * timeouts.read + timeouts.body + timeouts.read, options.request_timeout);
  options.keep_alive_timeout = 1s;
  EXPECT_EQ(SplitRequestTimeout(options).keep_alive, 1s);
}

TEST_F(RequestDeadlineTest, ATricklingBodyGets408WithinTheRequestTimeout) {
  const int before = handled_.load();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  const auto begin = Clock::now();
  // One byte every 100 ms: never silent long enough for CivetWeb's own read timeout.
  std::string raw;
  bool closed = false;
  for (int i = 0; i < 100 && raw.empty(); ++i) {
    Send(fd, "x");
    raw = ReadToClose(fd, 100ms, &closed);
  }
  if (!closed) raw += ReadToClose(fd, 5s, &closed);
  const auto took = Clock::now() - begin;
  ::close(fd);
  const testing::HttpResponse response = testing::ParseResponse(raw, false);
  EXPECT_EQ(response.status, 408) << raw;
  EXPECT_EQ(response.Header("connection"), "close");
  EXPECT_TRUE(closed) << "the connection stayed open after the 408";
  EXPECT_LT(took, kRequestTimeout + 1s) << "the trickle held the worker past the deadline";
  EXPECT_EQ(handled_.load(), before) << "the handler ran without its body";
}

TEST_F(RequestDeadlineTest, ASilentBodyGets408) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc"));
  const auto begin = Clock::now();
  bool closed = false;
  const std::string raw = ReadToClose(fd, 10s, &closed);
  ::close(fd);
  EXPECT_EQ(testing::ParseResponse(raw, false).status, 408) << raw;
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - begin, kRequestTimeout + 1s);
}

TEST_F(RequestDeadlineTest, ATricklingHeadIsCutOffWithinTheRequestTimeout) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  const std::string head = "GET /echo HTTP/1.1\r\nHost: x\r\nX-Slow: " + std::string(200, 'a');
  const auto begin = Clock::now();
  std::string raw;
  bool closed = false;
  for (size_t i = 0; i < head.size() && !closed; ++i) {
    if (!Send(fd, head.substr(i, 1))) break;
    raw += ReadToClose(fd, 50ms, &closed);
  }
  if (!closed) raw += ReadToClose(fd, 5s, &closed);
  ::close(fd);
  EXPECT_EQ(testing::ParseResponse(raw, false).status, 400) << raw;
  EXPECT_TRUE(closed);
  EXPECT_LT(Clock::now() - begin, kRequestTimeout + 1s);
}

TEST_F(RequestDeadlineTest, AChunkedBodyIs411) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(
      Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"));
  bool closed = false;
  const std::string raw = ReadToClose(fd, 5s, &closed);
  ::close(fd);
  EXPECT_EQ(testing::ParseResponse(raw, false).status, 411) << raw;
  EXPECT_TRUE(closed);
}

TEST_F(RequestDeadlineTest, ABodyInTimeIsReadAndTheConnectionKept) {
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhe"));
  std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(Send(fd, "llo"));
  ASSERT_TRUE(Send(fd, "GET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  const std::string raw = ReadToClose(fd, 5s, &closed);
  ::close(fd);
  EXPECT_EQ(raw.find("HTTP/1.1 200"), 0u) << raw;
  EXPECT_NE(raw.find("got hello\n"), std::string::npos) << raw;
  EXPECT_NE(raw.find("got \n"), std::string::npos) << "the second request was not served: " << raw;
}

TEST_F(RequestDeadlineTest, AGetWithABodyIsAnsweredAtOnceAndClosed) {
  const int before = handled_.load();
  const int fd = Connect(port_);
  ASSERT_GE(fd, 0);
  // The body never comes; the answer must not wait for it.
  ASSERT_TRUE(Send(fd, "GET /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n"));
  bool closed = false;
  const std::string raw = ReadToClose(fd, 5s, &closed);
  ::close(fd);
  EXPECT_EQ(testing::ParseResponse(raw, false).status, 200) << raw;
  EXPECT_TRUE(closed);
  EXPECT_EQ(handled_.load(), before + 1);
}

}  // namespace
}  // namespace upkeep
