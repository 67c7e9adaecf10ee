// Request hardening against the real binary: body limits, Content-Length checks, header
// limits and slow clients, all over raw sockets on 127.0.0.1. Every refusal must be a complete
// JSON response, and the server must keep serving afterwards.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// Counts the responses in what a server sent back on one connection.
size_t CountResponses(const std::string& raw) {
  size_t count = 0;
  for (size_t at = raw.find("HTTP/1.1 "); at != std::string::npos;
       at = raw.find("HTTP/1.1 ", at + 1)) {
    ++count;
  }
  return count;
}

// Sends `request` and returns everything received until the server closes.
std::string Exchange(uint16_t port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return {};
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string raw;
  char buffer[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 10000) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return raw;
}

class RequestLimitsTest : public ::testing::Test {
 protected:
  void Start(const std::string& web_yaml = "") {
    const std::string tokens = dir_.path() + "/tokens";
    admin_ = Bearer(CreateToken(tokens, "admin", "admin"));
    const std::string config = dir_.Write(
        "upkeep.yaml", "web:\n" + web_yaml + "  threads: 16\nauth:\n  tokens_file: " + tokens +
                           "\n  max_failures: 0\n");
    daemon_ = std::make_unique<DaemonProcess>(std::vector<std::string>{"--config", config});
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
  }
  uint16_t port() const { return daemon_->port(); }

  // The response must be a complete JSON error that closes the connection; then the server
  // must still serve.
  void ExpectClosingError(const std::string& raw_request, int status, const std::string& code) {
    const std::string raw = Exchange(port(), raw_request);
    const HttpResponse response = ParseResponse(raw, false);
    EXPECT_EQ(response.status, status) << raw;
    EXPECT_EQ(response.Header("content-type"), "application/json") << raw;
    EXPECT_EQ(response.Header("connection"), "close") << raw;
    EXPECT_EQ(response.body.size(), std::stoul(response.Header("content-length")));
    const json body = json::parse(response.body, nullptr, false);
    EXPECT_EQ(body["error"]["code"], code) << raw;
    EXPECT_EQ(CountResponses(raw), 1u) << raw;
    EXPECT_EQ(Request(port(), "GET", "/-/healthy").status, 200) << "no longer serving";
  }

  TempDir dir_;
  std::string admin_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(RequestLimitsTest, ADeclaredBodyOverTheLimitIs413OnAnyPathWithoutReadingIt) {
  Start();
  for (const char* path : {"/api/system/health", "/nope", "/metrics", "/"}) {
    SCOPED_TRACE(path);
    // Only the head is sent: the 413 must come without waiting for the body.
    ExpectClosingError(
        std::string("POST ") + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000000\r\n\r\n",
        413, "body_too_large");
  }
  ExpectClosingError("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 65537\r\n\r\n", 413,
                     "body_too_large");
  // The whole oversized body sent at once: still a clean 413.
  ExpectClosingError(
      "POST /api/system/health HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n" +
          std::string(200000, 'x'),
      413, "body_too_large");
}

TEST_F(RequestLimitsTest, BodiesNoRouteReadsAreLeftUnreadAndTheConnectionClosed) {
  Start();
  // No built-in route takes a body: an unknown path, a method a path does not take and a GET
  // are answered without reading it (the next request on the connection is never read).
  for (const char* head :
       {"POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n",
        "POST /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 65536\r\n\r\n",
        "POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
    SCOPED_TRACE(head);
    const std::string raw = Exchange(port(), std::string(head) + std::string(65536, 'b') +
                                                 "GET /-/healthy HTTP/1.1\r\nHost: x\r\n"
                                                 "Connection: close\r\n\r\n");
    EXPECT_EQ(CountResponses(raw), 1u) << raw.substr(0, 400);
    EXPECT_EQ(ParseResponse(raw, false).Header("connection"), "close");
  }
  // No Content-Length and no Transfer-Encoding: an empty body, which is allowed.
  EXPECT_EQ(Request(port(), "POST", "/api/system/health", admin_).status, 405);
  // Expect: 100-continue gets no interim response when the body will not be read.
  const std::string refused =
      Exchange(port(),
               "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n"
               "\r\n");
  EXPECT_EQ(refused.rfind("HTTP/1.1 404", 0), 0u) << refused;
}

TEST_F(RequestLimitsTest, MalformedContentLengthIs400) {
  Start();
  // "abc" and "-5" are refused by CivetWeb itself (as 411, before our handler); they reach the
  // client as our JSON 400. "12abc", "+12" and a second, different Content-Length pass
  // CivetWeb's strtoll and are refused by upkeep.
  for (const char* value : {"abc", "-5", "12abc", "+12", "1 2", "0x10"}) {
    SCOPED_TRACE(value);
    ExpectClosingError(
        std::string("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: ") + value + "\r\n\r\n", 400,
        "invalid_content_length");
  }
  ExpectClosingError(
      "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", 400,
      "invalid_content_length");
  ExpectClosingError(
      "POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
      "4\r\nabcd\r\n0\r\n\r\n",
      400, "bad_request");
  ExpectClosingError("POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400,
                     "bad_request");
}

TEST_F(RequestLimitsTest, TheConfiguredLimitApplies) {
  Start("  max_body_bytes: 100\n");
  ExpectClosingError("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n", 413,
                     "body_too_large");
  EXPECT_EQ(Request(port(), "POST", "/nope", "", std::string(100, 'a')).status, 404);
}

TEST_F(RequestLimitsTest, HeadsOverCivetwebsLimitsGetACleanError) {
  Start();
  // A head over CivetWeb's 16 KiB buffer: CivetWeb 1.15 reports it as a malformed message.
  ExpectClosingError("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n",
                     400, "bad_request");
  // More header fields than CivetWeb keeps (64): refused instead of silently truncated.
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 70; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  ExpectClosingError(many + "\r\n", 431, "too_many_headers");
  ExpectClosingError("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505, "http_version_not_supported");
  // 63 header fields are fine.
  std::string fine = "GET /-/healthy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  for (int i = 0; i < 61; ++i) fine += "X-H" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(ParseResponse(Exchange(port(), fine + "\r\n"), false).status, 200);
}

TEST_F(RequestLimitsTest, ASlowClientIsCutOffByRequestTimeout) {
  Start("  request_timeout: 1s\n");
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  const std::string partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n";
  ASSERT_EQ(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(partial.size()));
  // Others are served meanwhile.
  EXPECT_EQ(Request(port(), "GET", "/-/healthy").status, 200);
  // The server gives up on the stalled head and closes, well within a generous bound.
  const auto begin = std::chrono::steady_clock::now();
  std::string raw;
  char buffer[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 30000) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    raw.append(buffer, static_cast<size_t>(n));
  }
  const auto waited = std::chrono::steady_clock::now() - begin;
  ::close(fd);
  EXPECT_LT(waited, 20s) << "the slow client held its worker";
  const HttpResponse response = ParseResponse(raw, false);
  EXPECT_EQ(response.status, 400) << raw;
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(Request(port(), "GET", "/-/healthy").status, 200);
}

}  // namespace
}  // namespace upkeep::testing
