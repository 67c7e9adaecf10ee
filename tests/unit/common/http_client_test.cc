// The queue's HTTP client: URL and response parsing with literal input.

#include "common/http_client.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

std::string UrlError(std::string_view url) {
  const Result<HttpUrl> parsed = ParseHttpUrl(url);
  return parsed.ok() ? "<parsed>" : parsed.error();
}

TEST(ParseHttpUrlTest, HostPortAndTarget) {
  const Result<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:3000/api/queue/summary?x=1#frag");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 3000);
  EXPECT_EQ(url->target, "/api/queue/summary?x=1");
  EXPECT_EQ(url->host_header, "127.0.0.1:3000");

  const Result<HttpUrl> bare = ParseHttpUrl("HTTP://render-manager.local");
  ASSERT_TRUE(bare.ok()) << bare.error();
  EXPECT_EQ(bare->host, "render-manager.local");
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->host_header, "render-manager.local");

  const Result<HttpUrl> query = ParseHttpUrl("http://localhost?a=b");
  ASSERT_TRUE(query.ok()) << query.error();
  EXPECT_EQ(query->target, "/?a=b");

  const Result<HttpUrl> v6 = ParseHttpUrl("http://[::1]:8080/q");
  ASSERT_TRUE(v6.ok()) << v6.error();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(v6->host_header, "[::1]:8080");
}

TEST(ParseHttpUrlTest, HttpsIsRefusedAndSaysSo) {
  const std::string error = UrlError("https://queue.example.com/summary");
  EXPECT_NE(error.find("https:// is not supported"), std::string::npos) << error;
  EXPECT_NE(error.find("command source"), std::string::npos) << error;
  EXPECT_NE(UrlError("HTTPS://x/").find("https:// is not supported"), std::string::npos);
}

TEST(ParseHttpUrlTest, Malformed) {
  EXPECT_EQ(UrlError("127.0.0.1:3000/x"),
            "invalid URL \"127.0.0.1:3000/x\": expected http://HOST[:PORT]/PATH");
  EXPECT_EQ(UrlError("ftp://x/"),
            "invalid URL \"ftp://x/\": only http:// URLs are supported, got ftp://");
  EXPECT_EQ(UrlError("http:///x"), "invalid URL \"http:///x\": missing host");
  EXPECT_EQ(UrlError("http://h:0/"),
            "invalid URL \"http://h:0/\": the port must be from 1 to 65535");
  EXPECT_EQ(UrlError("http://h:65536/"),
            "invalid URL \"http://h:65536/\": the port must be from 1 to 65535");
  EXPECT_EQ(UrlError("http://h:/"), "invalid URL \"http://h:/\": the port must be from 1 to 65535");
  EXPECT_EQ(UrlError("http://h:80x/"),
            "invalid URL \"http://h:80x/\": the port must be from 1 to 65535");
  EXPECT_EQ(UrlError("http://user:pw@h/"),
            "invalid URL \"http://user:pw@h/\": credentials in the URL are not supported; use "
            "bearer_token_file");
  EXPECT_EQ(UrlError("http://h/a b"),
            "invalid URL \"http://h/a b\": spaces and control characters must be %-encoded");
  EXPECT_EQ(UrlError("http://[::1/"),
            "invalid URL \"http://[::1/\": missing \"]\" after the IPv6 address");
  EXPECT_EQ(UrlError("http://[abc]/"),
            "invalid URL \"http://[abc]/\": not an IPv6 address in brackets");
  EXPECT_EQ(UrlError("http://h!st/"),
            "invalid URL \"http://h!st/\": invalid character in the host");
}

HttpReply Complete(std::string_view raw, bool at_eof = false) {
  Result<std::optional<HttpReply>> parsed = ParseHttpResponse(raw, at_eof, 1000);
  EXPECT_TRUE(parsed.ok()) << parsed.error();
  if (!parsed.ok() || !parsed.value()) {
    ADD_FAILURE() << "incomplete";
    return {};
  }
  return *parsed.value();
}

bool Incomplete(std::string_view raw) {
  Result<std::optional<HttpReply>> parsed = ParseHttpResponse(raw, false, 1000);
  return parsed.ok() && !parsed.value();
}

std::string ResponseError(std::string_view raw, bool at_eof = true, size_t max_body = 1000) {
  Result<std::optional<HttpReply>> parsed = ParseHttpResponse(raw, at_eof, max_body);
  return parsed.ok() ? "<parsed>" : parsed.error();
}

TEST(ParseHttpResponseTest, ContentLength) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\nhello";
  const HttpReply reply = Complete(raw);
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.reason, "OK");
  EXPECT_EQ(reply.headers.at("content-type"), "application/json");
  EXPECT_EQ(reply.body, "hello");
  // Every shorter prefix needs more bytes.
  for (size_t n = 0; n < raw.size(); ++n) EXPECT_TRUE(Incomplete(raw.substr(0, n))) << n;
  EXPECT_EQ(ResponseError(raw.substr(0, raw.size() - 2)),
            "the response ended after 3 of 5 body bytes");
}

TEST(ParseHttpResponseTest, Chunked) {
  const std::string raw =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4\r\n{\"de\r\n7;ext=1\r\npth\": 1\r\n1\r\n}\r\n0\r\nX-Trailer: y\r\n\r\n";
  EXPECT_EQ(Complete(raw).body, "{\"depth\": 1}");
  for (size_t n = 0; n < raw.size(); ++n) EXPECT_TRUE(Incomplete(raw.substr(0, n))) << n;
  EXPECT_EQ(ResponseError(raw.substr(0, raw.size() - 3)),
            "the response ended inside its chunked body");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
            "malformed chunk size \"zz\"");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n"),
            "a chunk does not end with CRLF");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2000\r\n", false),
            "the response body is larger than 1000 bytes");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n"),
            "unsupported Transfer-Encoding \"gzip\"");
}

TEST(ParseHttpResponseTest, BodyUntilClose) {
  const std::string raw = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\n{\"depth\": 0}";
  EXPECT_TRUE(Incomplete(raw));
  EXPECT_EQ(Complete(raw, true).body, "{\"depth\": 0}");
}

TEST(ParseHttpResponseTest, StatusWithoutReasonAndInterimResponses) {
  EXPECT_EQ(Complete("HTTP/1.1 500\r\nContent-Length: 0\r\n\r\n").status, 500);
  const HttpReply reply =
      Complete("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nX: 1\r\n\r\n");
  EXPECT_EQ(reply.status, 204);
  std::string many;
  for (int i = 0; i < 20; ++i) many += "HTTP/1.1 103 Early Hints\r\n\r\n";
  EXPECT_EQ(ResponseError(many), "too many interim (1xx) responses");
}

TEST(ParseHttpResponseTest, Garbage) {
  EXPECT_EQ(ResponseError("hello world\r\n\r\n", false),
            "not an HTTP response (it starts with \"hello world????\")");
  EXPECT_EQ(ResponseError("SSH-2.0-OpenSSH_9.2p1\r\n", false),
            "not an HTTP response (it starts with \"SSH-2.0-OpenSSH_9.2p1??\")");
  EXPECT_EQ(ResponseError(""), "the server closed the connection without a response");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nContent-Le"),
            "the response ended inside its headers");
  EXPECT_EQ(ResponseError("HTTP/1.1 2x0 OK\r\n\r\n"), "malformed status line \"HTTP/1.1 2x0 OK\"");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n"),
            "malformed header line \"No colon here\"");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"),
            "malformed Content-Length \"-1\"");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            "conflicting Content-Length headers");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n", false),
            "the response body is larger than 1000 bytes");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\n\r\n" + std::string(1001, 'x'), false),
            "the response body is larger than 1000 bytes");
  EXPECT_EQ(ResponseError("HTTP/1.1 200 OK\r\n" + std::string(70000, 'x'), false),
            "the response headers are too large");
}

}  // namespace
}  // namespace upkeep
