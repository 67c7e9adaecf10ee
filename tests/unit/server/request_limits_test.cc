// RequestLimits works on a live CivetWeb connection: tested through a real in-process
// HttpServer on 127.0.0.1 with a 16-byte body limit and a route that echoes the body it got.

#include "server/request_limits.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "exporter/snapshot_ring.h"
#include "server/http_server.h"
#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;

constexpr size_t kLimit = 16;

// Sends `request` and returns every byte of the answer until the server closes (or 10 s).
std::string Exchange(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return "";
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string raw;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
          static_cast<ssize_t>(request.size())) {
    char buffer[4096];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, 10000) > 0) {
      const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      raw.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return raw;
}

std::string ErrorCode(const testing::HttpResponse& response) {
  return nlohmann::json::parse(response.body)["error"]["code"];
}

// One server for the suite: stopping CivetWeb takes a while.
class RequestLimitsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    HttpServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    options.threads = 4;
    options.max_body_bytes = kLimit;
    // The body may start arriving for 500 ms, each byte waited for at most 500 ms.
    options.request_timeout = 2s;
    options.keep_alive_timeout = 200ms;
    ring_ = std::make_unique<SnapshotRing>();
    server_ = std::make_unique<HttpServer>(options, *ring_);
    Route echo;
    echo.path = "/echo";
    echo.methods = {"POST"};
    echo.access = Access::kPublic;
    echo.handler = [](const HttpRequest& request, HttpResponse& response) {
      // Body() is the same bytes the request carries.
      EXPECT_EQ(RequestLimits::Body(), request.body());
      response.Text(200, "[" + std::string(request.body()) + "]");
    };
    server_->AddRoute(std::move(echo));
    server_->Start();
    port_ = server_->bound_port();
  }

  static void TearDownTestSuite() {
    server_.reset();
    ring_.reset();
  }

  void SetUp() override { ASSERT_NE(port_, 0); }

  static testing::HttpResponse Post(const std::string& fields_and_body) {
    return testing::SendRaw(
        port_, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + fields_and_body);
  }

  static inline std::unique_ptr<SnapshotRing> ring_;
  static inline std::unique_ptr<HttpServer> server_;
  static inline uint16_t port_ = 0;
};

TEST_F(RequestLimitsTest, ABodyUpToTheLimitReachesTheHandler) {
  testing::HttpResponse response = Post("Content-Length: 5\r\n\r\nhello");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "[hello]");
  response = Post("Content-Length: 16\r\n\r\n0123456789abcdef");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "[0123456789abcdef]");
  // No body: the handler sees an empty one, not the previous request's.
  response = Post("Content-Length: 0\r\n\r\n");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "[]");
}

TEST_F(RequestLimitsTest, ADeclaredBodyOverTheLimitIsRefusedUnread) {
  // No byte of the body is sent: the answer cannot have waited for it.
  const auto begin = std::chrono::steady_clock::now();
  const testing::HttpResponse response = Post("Content-Length: 17\r\n\r\n");
  EXPECT_LT(std::chrono::steady_clock::now() - begin, 400ms);
  EXPECT_EQ(response.status, 413);
  EXPECT_EQ(ErrorCode(response), "body_too_large");
  EXPECT_EQ(nlohmann::json::parse(response.body)["error"]["message"],
            "the request body is over the limit of 16 bytes (web.max_body_bytes)");
}

TEST_F(RequestLimitsTest, AChunkedBodyNeedsALength) {
  const testing::HttpResponse response =
      Post("Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(response.status, 411);
  EXPECT_EQ(ErrorCode(response), "length_required");
}

TEST_F(RequestLimitsTest, ExpectContinueGetsTheInterimAnswer) {
  const std::string raw = Exchange(port_,
                                   "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                                   "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(raw.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 ", 0), 0u) << raw;
  EXPECT_EQ(raw.substr(raw.size() - 5), "[abc]") << raw;
  // Without the expectation there is no interim answer.
  const std::string plain = Exchange(
      port_, "POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_EQ(plain.rfind("HTTP/1.1 200 ", 0), 0u) << plain;
}

TEST_F(RequestLimitsTest, ABodyThatStopsArrivingGets408) {
  // 2 of 10 bytes, then silence with the connection open.
  const auto begin = std::chrono::steady_clock::now();
  const testing::HttpResponse response = Post("Content-Length: 10\r\n\r\nab");
  const auto took = std::chrono::steady_clock::now() - begin;
  EXPECT_EQ(response.status, 408);
  EXPECT_EQ(ErrorCode(response), "request_timeout");
  // Cut off within the body window plus one read wait (500 ms each), not at SendRaw's 10 s.
  EXPECT_LT(took, 3s);
}

TEST_F(RequestLimitsTest, CivetwebsOwnRefusalsGetPreciseJsonAnswers) {
  // A head over CivetWeb's 16 KiB buffer: CivetWeb 1.15 calls it a malformed message.
  const testing::HttpResponse huge = testing::SendRaw(
      port_, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(huge.status, 400);
  EXPECT_EQ(ErrorCode(huge), "bad_request");
  EXPECT_EQ(huge.Header("connection"), "close");
}

TEST(RequestLimitsValuesTest, TheLimitIsKept) {
  EXPECT_EQ(RequestLimits::kDefaultMaxBodyBytes, 64u * 1024);
  EXPECT_EQ(RequestLimits(123).max_body_bytes(), 123u);
  // No request was read on this thread: no body.
  RequestLimits::ResetBody();
  EXPECT_EQ(RequestLimits::Body(), "");
}

}  // namespace
}  // namespace upkeep
