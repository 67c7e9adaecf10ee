#include "server/request_head.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

std::string Head(const std::string& request_line, const std::string& fields) {
  return request_line + "\r\n" + fields + "\r\n";
}

// The status CheckRequestHead gives ("0" for accepted) and its message, for readable failures.
std::string Verdict(const std::string& head) {
  const RequestHeadVerdict verdict = CheckRequestHead(head);
  return std::to_string(verdict.status) + (verdict ? "" : " " + verdict.message);
}

int Status(const std::string& head) { return CheckRequestHead(head).status; }

TEST(RequestHeadTest, AcceptsAPlainRequestAndReadsItsFraming) {
  const std::string head = Head("POST /api/x?a=1&b=%20 HTTP/1.1",
                                "Host: example.org:8080\r\nContent-Length: 12\r\nX-Empty:\r\n");
  const RequestHeadVerdict verdict = CheckRequestHead(head);
  ASSERT_TRUE(verdict) << verdict.message;
  EXPECT_EQ(verdict.method, "POST");
  EXPECT_EQ(verdict.path, "/api/x");
  EXPECT_EQ(verdict.query, "a=1&b=%20");
  EXPECT_FALSE(verdict.http10);
  EXPECT_EQ(verdict.content_length, 12u);
  EXPECT_FALSE(verdict.chunked);
  EXPECT_TRUE(verdict.has_body());

  const RequestHeadVerdict http10 = CheckRequestHead(Head("GET / HTTP/1.0", ""));
  ASSERT_TRUE(http10) << http10.message;
  EXPECT_TRUE(http10.http10);
  EXPECT_FALSE(http10.has_body());
  // Empty lines before the request line are ignored (RFC 9112 2.2).
  EXPECT_EQ(Verdict("\r\n" + Head("GET / HTTP/1.1", "Host: x\r\n")), "0");
  // Tabs in field values and optional whitespace around them are fine.
  EXPECT_EQ(Verdict(Head("GET / HTTP/1.1", "Host: x\r\nX-T: \ta\tb \r\n")), "0");
}

TEST(RequestHeadTest, LineEndingsAndBytes) {
  EXPECT_EQ(Status("GET / HTTP/1.1\nHost: x\n\n"), 400);
  EXPECT_EQ(Status("GET / HTTP/1.1\r\nHost: x\n\r\n"), 400);
  EXPECT_EQ(Status("GET / HTTP/1.1\r\nHost: x\rX: y\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET / HTTP/1.1\r\nHost: x\r\n"), 400);  // no empty line
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\n") + "body"), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", std::string("Host: x\r\nX: a\0b\r\n", 17))), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\nX: a\x01\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\nX: a\x7f\r\n")), 400);
  EXPECT_EQ(Status(""), 400);
}

TEST(RequestHeadTest, RequestLine) {
  for (const char* line :
       {"GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET / HTTP/1.1 ", " GET / HTTP/1.1", "GET /",
        "GET / HTTP/1.1 x", "G(T / HTTP/1.1", "GET\t/ HTTP/1.1", "GET / http/1.1", "GET / HTTP/11",
        "GET * HTTP/1.1", "GET http://x/ HTTP/1.1", "GET x HTTP/1.1", "GET /a#b HTTP/1.1",
        "GET /\xc3\xa9 HTTP/1.1", "GET /a\"b HTTP/1.1", "GET /a\\b HTTP/1.1"}) {
    EXPECT_EQ(Status(Head(line, "Host: x\r\n")), 400) << line;
  }
  EXPECT_EQ(Status(Head("GET / HTTP/2.0", "Host: x\r\n")), 505);
  EXPECT_EQ(Status(Head("GET / HTTP/0.9", "Host: x\r\n")), 505);
  // Any token is a method here: the router answers 405 for one it does not take.
  EXPECT_EQ(Status(Head("BREW /pot HTTP/1.1", "Host: x\r\n")), 0);
}

TEST(RequestHeadTest, PathsThatWouldMeanAnotherPathAreRefused) {
  for (const char* target :
       {"/metrics%00garbage", "/api/system/health%00.json", "/metric%73", "/%2e%2e/x", "/a%2fb",
        "/a%", "/a%zz", "/./metrics", "/api/../metrics", "/a/.", "/a/.."}) {
    EXPECT_EQ(Status(Head(std::string("GET ") + target + " HTTP/1.1", "Host: x\r\n")), 400)
        << target;
  }
  EXPECT_EQ(CheckRequestHead(Head("GET /metrics%00x HTTP/1.1", "Host: x\r\n")).message,
            "the path holds an encoded NUL (%00)");
  // Dots inside a segment, and percent-encoding in the query, are left to the handler.
  for (const char* target : {"/a.b/..c/.d", "/x?q=%00&r=../..", "/", "/-/healthy", "/a//b"}) {
    EXPECT_EQ(Status(Head(std::string("GET ") + target + " HTTP/1.1", "Host: x\r\n")), 0) << target;
  }
}

TEST(RequestHeadTest, MalformedFieldLines) {
  EXPECT_EQ(CheckRequestHead(Head("GET / HTTP/1.1", "Host: x\r\nX-Foo: a\r\n  b\r\n")).message,
            "obsolete line folding (a header line starting with whitespace)");
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "\tX: b\r\nHost: x\r\n")), 400);
  EXPECT_EQ(CheckRequestHead(Head("GET / HTTP/1.1", "Host: x\r\n: v\r\n")).message,
            "a header line without a field name");
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\nno colon\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host : x\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\nX\t: y\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\nX(y): z\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: x\r\nX\xc3\xa9: z\r\n")), 400);
  std::string fields = "Host: x\r\n";
  for (size_t i = 1; i < kMaxHeaderFields; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", fields)), 0);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", fields + "X-Last: v\r\n")), 431);
}

TEST(RequestHeadTest, Host) {
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: a\r\nhost: a\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.0", "Host: a\r\nHost: b\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: a b\r\n")), 400);
  EXPECT_EQ(Status(Head("GET / HTTP/1.1", "Host: a/b\r\n")), 400);
  for (const char* host : {"Host: \r\n", "Host: 127.0.0.1:10420\r\n", "HOST: [::1]:80\r\n"}) {
    EXPECT_EQ(Status(Head("GET / HTTP/1.1", host)), 0) << host;
  }
}

TEST(RequestHeadTest, ContentLength) {
  for (const char* value :
       {"abc", "-5", "+12", "12abc", "1 2", "0x10", "1,1", "", "1234567890123456789"}) {
    const RequestHeadVerdict verdict = CheckRequestHead(
        Head("POST / HTTP/1.1", std::string("Host: x\r\nContent-Length: ") + value + "\r\n"));
    EXPECT_EQ(verdict.status, 400) << value;
    EXPECT_EQ(verdict.code, "invalid_content_length") << value;
  }
  EXPECT_EQ(
      Status(Head("POST / HTTP/1.1", "Host: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n")),
      400);
  const RequestHeadVerdict same = CheckRequestHead(
      Head("POST / HTTP/1.1", "Host: x\r\nContent-Length: 3\r\ncontent-length:  3 \r\n"));
  ASSERT_TRUE(same) << same.message;
  EXPECT_EQ(same.content_length, 3u);
  EXPECT_EQ(CheckRequestHead(Head("POST / HTTP/1.1", "Host: x\r\nContent-Length: 000\r\n"))
                .content_length,
            0u);
}

TEST(RequestHeadTest, TransferEncoding) {
  const RequestHeadVerdict chunked =
      CheckRequestHead(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding: Chunked\r\n"));
  ASSERT_TRUE(chunked) << chunked.message;
  EXPECT_TRUE(chunked.chunked);
  EXPECT_TRUE(chunked.has_body());
  EXPECT_EQ(Status(Head("POST / HTTP/1.1",
                        "Host: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 4\r\n")),
            400);
  EXPECT_EQ(Status(Head("POST / HTTP/1.0", "Transfer-Encoding: chunked\r\n")), 400);
  EXPECT_EQ(Status(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding: gzip\r\n")), 400);
  EXPECT_EQ(Status(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding: chunked, gzip\r\n")),
            400);
  EXPECT_EQ(Status(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding: chunked, chunked\r\n")),
            400);
  EXPECT_EQ(Status(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding: identity\r\n")), 400);
  EXPECT_EQ(Status(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding:\r\n")), 400);
  // A coding we do not implement before the final chunked: 501 (RFC 9112 6.1).
  EXPECT_EQ(Status(Head("POST / HTTP/1.1", "Host: x\r\nTransfer-Encoding: gzip, chunked\r\n")),
            501);
  EXPECT_EQ(Status(Head("POST / HTTP/1.1",
                        "Host: x\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n")),
            501);
}

}  // namespace
}  // namespace upkeep
