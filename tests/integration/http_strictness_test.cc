// Request strictness against the real binary, over raw sockets on 127.0.0.1: every malformed
// or ambiguous head is refused with a JSON error that closes the connection, and nothing sent
// after it (a body that is itself a request) is ever served as a second request.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace upkeep::testing {
namespace {

using nlohmann::json;

// A request that must never be served: its path is unknown, so serving it would answer 404.
constexpr const char* kSmuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";

struct Exchanged {
  std::string raw;
  bool closed = false;  // the server closed the connection after answering
};

Exchanged Exchange(uint16_t port, const std::string& request) {
  Exchanged result;
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return result;
  }
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  char buffer[16384];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0) break;  // still open: `closed` stays false
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) {
      result.closed = true;
      break;
    }
    result.raw.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return result;
}

// Status lines: at the start, or at the start of a line (a JSON body holds no newline).
size_t CountResponses(const std::string& raw) {
  size_t count = raw.starts_with("HTTP/1.1 ") ? 1 : 0;
  for (size_t at = raw.find("\nHTTP/1.1 "); at != std::string::npos;
       at = raw.find("\nHTTP/1.1 ", at + 1)) {
    ++count;
  }
  return count;
}

class HttpStrictnessTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    const std::string config = dir_->Write("upkeep.yaml", "web:\n  threads: 8\n");
    daemon_ = new DaemonProcess({"--config", config});
  }
  static void TearDownTestSuite() {
    delete daemon_;
    delete dir_;
  }
  void SetUp() override { ASSERT_TRUE(daemon_->started()) << daemon_->Log(); }
  static uint16_t port() { return daemon_->port(); }

  // Exactly one answer, with `status` and `code`, the connection closed after it, and the
  // server still serving.
  static void ExpectRefused(const std::string& request, int status, const std::string& code = "") {
    const Exchanged exchanged = Exchange(port(), request);
    const HttpResponse response = ParseResponse(exchanged.raw, false);
    EXPECT_EQ(response.status, status) << exchanged.raw;
    EXPECT_EQ(response.Header("connection"), "close") << exchanged.raw;
    EXPECT_TRUE(exchanged.closed) << "the connection stayed open: " << exchanged.raw;
    EXPECT_EQ(CountResponses(exchanged.raw), 1u)
        << "a second request was served: " << exchanged.raw;
    EXPECT_EQ(exchanged.raw.find("HTTP/1.1 404"), std::string::npos) << exchanged.raw;
    const json body = json::parse(response.body, nullptr, false);
    EXPECT_TRUE(body.contains("error")) << exchanged.raw;
    if (!code.empty()) {
      EXPECT_EQ(body["error"]["code"], code) << exchanged.raw;
    }
    EXPECT_EQ(Request(port(), "GET", "/-/healthy").status, 200) << "no longer serving";
  }

  static inline TempDir* dir_ = nullptr;
  static inline DaemonProcess* daemon_ = nullptr;
};

TEST_F(HttpStrictnessTest, AFoldedLineIsRefusedAndItsBodyNeverServed) {
  // The case: CivetWeb drops every line after the fold, Content-Length included.
  const std::string smuggled(kSmuggled);
  ExpectRefused("POST /-/healthy HTTP/1.1\r\nHost: x\r\nX-Foo: a\r\n  b\r\nContent-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
                400, "bad_request");
  ExpectRefused("GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Foo: a\r\n\tb\r\n\r\n", 400);
  ExpectRefused("GET /-/healthy HTTP/1.1\r\n  X-Foo: b\r\nHost: x\r\n\r\n", 400);
}

TEST_F(HttpStrictnessTest, ALineWithoutANameIsRefused) {
  const std::string smuggled(kSmuggled);
  ExpectRefused("POST /-/healthy HTTP/1.1\r\nHost: x\r\n: v\r\nContent-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
                400);
  // As the first line: everything after it is dropped, the Host with it.
  ExpectRefused("POST /-/healthy HTTP/1.1\r\n: v\r\nHost: x\r\nContent-Length: " +
                    std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled,
                400);
  ExpectRefused("GET /-/healthy HTTP/1.1\r\nHost: x\r\nX-Foo : a\r\n\r\n", 400);
}

TEST_F(HttpStrictnessTest, BareLineEndsAreRefused) {
  ExpectRefused("GET /-/healthy HTTP/1.1\nHost: x\n\n", 400);
  ExpectRefused("GET /-/healthy HTTP/1.1\r\nHost: x\n\n", 400);
  ExpectRefused("GET /-/healthy HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400);
}

TEST_F(HttpStrictnessTest, TheRequestLineMustBeExact) {
  ExpectRefused("GET  /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /-/healthy  HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /-/healthy#x HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /-/healthy HTTP/1.2\r\nHost: x\r\n\r\n", 505, "http_version_not_supported");
  ExpectRefused("BREW /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n", 400);  // CivetWeb's own list
  // The absolute and asterisk forms never reach upkeep: CivetWeb 1.15 closes the connection
  // without an answer (it would proxy them, and proxying is off).
  for (const char* request : {"GET http://x/-/healthy HTTP/1.1\r\nHost: x\r\n\r\n",
                              "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"}) {
    const Exchanged exchanged = Exchange(port(), request);
    EXPECT_EQ(exchanged.raw, "") << request;
    EXPECT_TRUE(exchanged.closed) << request;
  }
}

TEST_F(HttpStrictnessTest, PathsAreRoutedAsSentOrRefused) {
  ExpectRefused("GET /metrics%00garbage HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /api/system/health%00.json HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /metric%73 HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /x/../metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  ExpectRefused("GET /./metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400);
  // A query keeps its encoding; the path is served.
  const Exchanged query =
      Exchange(port(), "GET /-/healthy?x=%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ParseResponse(query.raw, false).status, 200) << query.raw;
}

TEST_F(HttpStrictnessTest, HostRules) {
  ExpectRefused("GET /-/healthy HTTP/1.1\r\n\r\n", 400);
  ExpectRefused("GET /-/healthy HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400);
  ExpectRefused("GET /-/healthy HTTP/1.1\r\nHost: a b\r\n\r\n", 400);
  // HTTP/1.0 needs none; its connection closes after the answer.
  const Exchanged http10 = Exchange(port(), "GET /-/healthy HTTP/1.0\r\n\r\n");
  EXPECT_EQ(ParseResponse(http10.raw, false).status, 200) << http10.raw;
  EXPECT_TRUE(http10.closed);
}

TEST_F(HttpStrictnessTest, ContentLengthAndTransferEncodingRules) {
  ExpectRefused("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n",
                400, "invalid_content_length");
  ExpectRefused("POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc", 400,
                "invalid_content_length");
  ExpectRefused(
      "POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n"
      "4\r\nabcd\r\n0\r\n\r\n",
      400);
  ExpectRefused("POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501,
                "not_implemented");
  ExpectRefused("POST /nope HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400);
  ExpectRefused("POST /nope HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400);
  // The same length twice is one length.
  const Exchanged same = Exchange(
      port(),
      "POST /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab");
  EXPECT_EQ(ParseResponse(same.raw, false).status, 405) << same.raw;
}

TEST_F(HttpStrictnessTest, BodiesNobodyNeedsAreAnsweredAtOnceAndTheConnectionClosed) {
  // Only the head is sent: each answer must come without the body, and close.
  for (const char* request :
       {"GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
        "HEAD /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
        "POST /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
        "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
        "POST /api/system/health HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n",
        "POST /nope HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n",
        "GET /-/healthy HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
    SCOPED_TRACE(request);
    const Exchanged exchanged = Exchange(port(), request);
    EXPECT_GT(ParseResponse(exchanged.raw, false).status, 0) << "no answer before the body";
    EXPECT_TRUE(exchanged.closed) << exchanged.raw;
    EXPECT_EQ(CountResponses(exchanged.raw), 1u);
  }
  // A body that is itself a request, after a GET that has no use for it: never served.
  const std::string smuggled(kSmuggled);
  const Exchanged get =
      Exchange(port(), "GET /-/healthy HTTP/1.1\r\nHost: x\r\nContent-Length: " +
                           std::to_string(smuggled.size()) + "\r\n\r\n" + smuggled);
  EXPECT_EQ(CountResponses(get.raw), 1u) << get.raw;
  EXPECT_TRUE(get.closed);
}

TEST_F(HttpStrictnessTest, ErrorsCloseTheConnectionAndSuccessesKeepIt) {
  const Exchanged after_404 = Exchange(
      port(), "GET /nope HTTP/1.1\r\nHost: x\r\n\r\nGET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(CountResponses(after_404.raw), 1u) << after_404.raw;
  EXPECT_TRUE(after_404.closed);
  const Exchanged after_200 =
      Exchange(port(),
               "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n"
               "GET /-/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(CountResponses(after_200.raw), 2u) << after_200.raw;
}

TEST_F(HttpStrictnessTest, PathsCannotForgeLogFields) {
  // Bytes that could end a log field or line never reach a log line raw: a path holding them
  // (encoded or not) is refused before it is logged, and the refusal logs no path.
  Exchange(port(), "GET /api/system/health%0Aauth:%20ok HTTP/1.1\r\nHost: x\r\n\r\n");
  Exchange(port(), "GET /api/system/health\"x HTTP/1.1\r\nHost: x\r\n\r\n");
  Exchange(port(), "GET /api/system/health?a=%0Aforged HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string log = daemon_->Log();
  EXPECT_EQ(log.find("\nforged"), std::string::npos) << log;
  EXPECT_EQ(log.find("health\"x"), std::string::npos) << log;
  EXPECT_EQ(log.find("auth: ok"), std::string::npos) << log;
  // The allowed one (the query is not part of the path) is logged with its path alone.
  EXPECT_NE(log.find("path /api/system/health reason"), std::string::npos) << log;
}

}  // namespace
}  // namespace upkeep::testing
