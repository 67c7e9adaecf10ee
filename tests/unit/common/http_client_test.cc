// The queue's HTTP client: URL parsing with literal input, and HttpGet (libcurl) against real
// HTTP and HTTPS servers on 127.0.0.1 run by the test.

#include "common/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/version.h"
#include "tests/support/daemon_process.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/tls_test_pki.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedHttpServer;
using testing::ScriptedTls;
using testing::TempDir;
using testing::TestPki;

std::string UrlError(std::string_view url) {
  const Result<HttpUrl> parsed = ParseHttpUrl(url);
  return parsed.ok() ? "<parsed>" : parsed.error();
}

TEST(ParseHttpUrlTest, HostPortAndTarget) {
  const Result<HttpUrl> url = ParseHttpUrl("http://127.0.0.1:3000/api/queue/summary?x=1#frag");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_FALSE(url->https);
  EXPECT_EQ(url->host, "127.0.0.1");
  EXPECT_EQ(url->port, 3000);
  EXPECT_EQ(url->target, "/api/queue/summary?x=1");
  EXPECT_EQ(url->host_header, "127.0.0.1:3000");
  EXPECT_EQ(url->Text(), "http://127.0.0.1:3000/api/queue/summary?x=1");

  const Result<HttpUrl> bare = ParseHttpUrl("HTTP://render-manager.local");
  ASSERT_TRUE(bare.ok()) << bare.error();
  EXPECT_EQ(bare->host, "render-manager.local");
  EXPECT_EQ(bare->port, 80);
  EXPECT_EQ(bare->target, "/");
  EXPECT_EQ(bare->host_header, "render-manager.local");
  EXPECT_EQ(bare->Text(), "http://render-manager.local/");

  const Result<HttpUrl> query = ParseHttpUrl("http://localhost?a=b");
  ASSERT_TRUE(query.ok()) << query.error();
  EXPECT_EQ(query->target, "/?a=b");

  const Result<HttpUrl> v6 = ParseHttpUrl("http://[::1]:8080/q");
  ASSERT_TRUE(v6.ok()) << v6.error();
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 8080);
  EXPECT_EQ(v6->host_header, "[::1]:8080");
  EXPECT_EQ(v6->Text(), "http://[::1]:8080/q");
}

TEST(ParseHttpUrlTest, Https) {
  const Result<HttpUrl> url = ParseHttpUrl("HTTPS://queue.example.com/summary");
  ASSERT_TRUE(url.ok()) << url.error();
  EXPECT_TRUE(url->https);
  EXPECT_EQ(url->port, 443);
  EXPECT_EQ(url->host_header, "queue.example.com");
  EXPECT_EQ(url->Text(), "https://queue.example.com/summary");
  const Result<HttpUrl> port = ParseHttpUrl("https://127.0.0.1:8443");
  ASSERT_TRUE(port.ok()) << port.error();
  EXPECT_EQ(port->port, 8443);
  EXPECT_EQ(port->Text(), "https://127.0.0.1:8443/");
}

TEST(ParseHttpUrlTest, Malformed) {
  EXPECT_EQ(UrlError("127.0.0.1:3000/x"),
            "invalid URL \"127.0.0.1:3000/x\": expected http://HOST[:PORT]/PATH or "
            "https://HOST[:PORT]/PATH");
  EXPECT_EQ(UrlError("ftp://x/"),
            "invalid URL \"ftp://x/\": only http:// and https:// URLs are supported, got ftp://");
  EXPECT_EQ(UrlError("file:///etc/passwd"),
            "invalid URL \"file:///etc/passwd\": only http:// and https:// URLs are supported, "
            "got file://");
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
  EXPECT_EQ(UrlError("https://user@h/"),
            "invalid URL \"https://user@h/\": credentials in the URL are not supported; use "
            "bearer_token_file");
  EXPECT_EQ(UrlError("http://h/a b"),
            "invalid URL \"http://h/a b\": spaces and control characters must be %-encoded");
  EXPECT_EQ(UrlError("https://h/a\r\nX: y"),
            "invalid URL \"https://h/a??X: y\": spaces and control characters must be %-encoded");
  EXPECT_EQ(UrlError("http://[::1/"),
            "invalid URL \"http://[::1/\": missing \"]\" after the IPv6 address");
  EXPECT_EQ(UrlError("http://[abc]/"),
            "invalid URL \"http://[abc]/\": not an IPv6 address in brackets");
  EXPECT_EQ(UrlError("http://h!st/"),
            "invalid URL \"http://h!st/\": invalid character in the host");
}

HttpUrl Url(const std::string& text) { return ParseHttpUrl(text).value(); }

std::string GetError(const std::string& url, HttpGetOptions options = {}) {
  const Result<HttpReply> reply = HttpGet(Url(url), options);
  return reply.ok() ? "<replied " + std::to_string(reply->status) + ">" : reply.error();
}

TEST(HttpGetTest, ReplyWithHeadersAndTheRequestItSent) {
  ASSERT_TRUE(HttpClientGlobalInit().ok());
  ASSERT_TRUE(HttpClientGlobalInit().ok());  // again: harmless
  ScriptedHttpServer server;
  server.SetReply(
      {"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Two: a\r\n"
       "x-two: b\r\nContent-Length: 5\r\n\r\nhello"});
  HttpGetOptions options;
  options.bearer_token = "s3cret";
  const Result<HttpReply> reply = HttpGet(Url(server.url("/q?v=1")), options);
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->reason, "OK");
  EXPECT_EQ(reply->headers.at("content-type"), "application/json");
  EXPECT_EQ(reply->headers.at("x-two"), "a, b");
  EXPECT_EQ(reply->body, "hello");
  const std::vector<std::string> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].rfind("GET /q?v=1 HTTP/1.1\r\n", 0), 0u) << requests[0];
  EXPECT_NE(requests[0].find("\r\nUser-Agent: upkeep/" + std::string(kVersion) + "\r\n"),
            std::string::npos)
      << requests[0];
  EXPECT_NE(requests[0].find("\r\nAccept: application/json\r\n"), std::string::npos);
  EXPECT_NE(requests[0].find("\r\nAuthorization: Bearer s3cret\r\n"), std::string::npos);
}

TEST(HttpGetTest, BodyFramings) {
  ScriptedHttpServer server;
  const std::string url = server.url("/q");
  server.SetReply(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "4\r\n{\"de\r\n7;ext=1\r\npth\": 1\r\n1\r\n}\r\n0\r\nX-Trailer: y\r\n\r\n"});
  Result<HttpReply> reply = HttpGet(Url(url), {});
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply->body, "{\"depth\": 1}");
  // No length: the body runs until the server closes.
  server.SetReply({"HTTP/1.0 200 OK\r\nServer: x\r\n\r\n{\"depth\": 0}"});
  reply = HttpGet(Url(url), {});
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply->body, "{\"depth\": 0}");
  // A status without a reason, after an interim response whose headers do not count.
  server.SetReply(
      {"HTTP/1.1 100 Continue\r\nX-Early: 1\r\n\r\nHTTP/1.1 500\r\n"
       "Content-Length: 0\r\n\r\n"});
  reply = HttpGet(Url(url), {});
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply->status, 500);
  EXPECT_EQ(reply->reason, "");
  EXPECT_EQ(reply->headers.count("x-early"), 0u);
}

TEST(HttpGetTest, RedirectIsAReplyNotFollowed) {
  ScriptedHttpServer server;
  server.SetReply({"HTTP/1.1 302 Found\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"});
  const Result<HttpReply> reply = HttpGet(Url(server.url("/q")), {});
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply->status, 302);
  EXPECT_EQ(reply->headers.at("location"), "/elsewhere");
  EXPECT_EQ(server.Requests().size(), 1u);  // /elsewhere was never asked for
}

TEST(HttpGetTest, OversizedBodiesAreCutOff) {
  ScriptedHttpServer server;
  const std::string url = server.url("/big");
  HttpGetOptions options;
  options.max_body = 1000;
  const std::string too_large = "GET " + url + ": the response body is larger than 1000 bytes";
  // Announced by Content-Length.
  server.SetReply({ScriptedHttpServer::Response(200, "OK", std::string(5000, 'x'))});
  EXPECT_EQ(GetError(url, options), too_large);
  // Chunked: no header says how large; the write callback stops it.
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 8; ++i) chunked += "100\r\n" + std::string(256, 'y') + "\r\n";
  server.SetReply({chunked + "0\r\n\r\n"});
  EXPECT_EQ(GetError(url, options), too_large);
  // Until close.
  server.SetReply({"HTTP/1.0 200 OK\r\n\r\n" + std::string(1001, 'z')});
  EXPECT_EQ(GetError(url, options), too_large);
  // Exactly the cap is fine.
  server.SetReply({ScriptedHttpServer::Response(200, "OK", std::string(1000, 'x'))});
  EXPECT_EQ(GetError(url, options), "<replied 200>");
}

TEST(HttpGetTest, BrokenResponses) {
  ScriptedHttpServer server;
  const std::string url = server.url("/q");
  const std::string prefix = "GET " + url + ": ";
  server.SetReply({"\x16\x03\x01 binary noise, not HTTP at all"});
  std::string error = GetError(url);
  EXPECT_EQ(error.rfind(prefix + "not an HTTP response (", 0), 0u) << error;
  server.SetReply({"", 0ms, true});
  EXPECT_EQ(GetError(url), prefix + "the server closed the connection without a response");
  server.SetReply({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel"});
  error = GetError(url);
  EXPECT_EQ(error.rfind(prefix + "the response ended early (", 0), 0u) << error;
  server.SetReply({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"de"});
  error = GetError(url);
  EXPECT_EQ(error.rfind(prefix, 0), 0u) << error;
  server.SetReply({"HTTP/1.1 200 OK\r\nX-Big: " + std::string(70000, 'x') + "\r\n\r\n"});
  EXPECT_EQ(GetError(url), prefix + "the response headers are too large");
  server.SetReply({"HTTP/1.1 200 OK\r\nNo colon here\r\n\r\n"});
  error = GetError(url);
  EXPECT_EQ(error.rfind(prefix + "not an HTTP response (", 0), 0u) << error;
}

TEST(HttpGetTest, TimeoutAndNothingListening) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", "{}"), 20s, false});
  const std::string url = server.url("/slow");
  HttpGetOptions options;
  options.timeout = 300ms;
  options.bearer_token = "never-in-messages";
  const auto start = std::chrono::steady_clock::now();
  const std::string error = GetError(url, options);
  EXPECT_EQ(error, "GET " + url + ": no complete response within the timeout of 300 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);

  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);  // a port that was just free
  const std::string port = std::to_string(ntohs(address.sin_port));
  const std::string refused = "http://127.0.0.1:" + port + "/q";
  EXPECT_EQ(GetError(refused, options),
            "GET " + refused + ": cannot connect to 127.0.0.1:" + port + ": Connection refused");

  const std::string unknown = "http://no-such-host.invalid/q";
  const std::string lookup = GetError(unknown, options);
  EXPECT_EQ(lookup.rfind("GET " + unknown + ": ", 0), 0u) << lookup;
  EXPECT_NE(lookup.find("no-such-host.invalid"), std::string::npos) << lookup;
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    ::setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_.empty()) {
      ::unsetenv(name_);
    } else {
      ::setenv(name_, old_.c_str(), 1);
    }
  }

 private:
  const char* name_;
  std::string old_;
};

TEST(HttpGetTest, ProxyEnvironmentIsIgnored) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", "{}")});
  // A proxy that is not there: a client that used it would fail.
  const ScopedEnv variables[] = {
      {"http_proxy", "http://127.0.0.1:9"},
      {"HTTP_PROXY", "http://127.0.0.1:9"},
      {"https_proxy", "http://127.0.0.1:9"},
      {"HTTPS_PROXY", "http://127.0.0.1:9"},
      {"ALL_PROXY", "http://127.0.0.1:9"},
      {"all_proxy", "http://127.0.0.1:9"},
      {"no_proxy", ""},
      {"NO_PROXY", ""},
  };
  EXPECT_EQ(GetError(server.url("/q")), "<replied 200>");
  EXPECT_EQ(server.Requests().size(), 1u);
}

class HttpsGetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::MakeTestPki(dir_);
    ASSERT_EQ(pki_.error, "");
    server_ = std::make_unique<ScriptedHttpServer>(ScriptedTls{pki_.cert_file, pki_.key_file});
    server_->SetReply({ScriptedHttpServer::Response(200, "OK", R"({"depth": 1})")});
  }

  TempDir dir_;
  TestPki pki_;
  std::unique_ptr<ScriptedHttpServer> server_;
};

TEST_F(HttpsGetTest, TrustsThePrivateCaGivenAsCaFile) {
  HttpGetOptions options;
  options.ca_file = pki_.ca_file;
  options.bearer_token = "tls-token";
  const Result<HttpReply> reply = HttpGet(Url(server_->url("/q")), options);
  ASSERT_TRUE(reply.ok()) << reply.error();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"depth": 1})");
  ASSERT_EQ(server_->Requests().size(), 1u);
  EXPECT_NE(server_->Requests()[0].find("\r\nAuthorization: Bearer tls-token\r\n"),
            std::string::npos);
  // The certificate names localhost too.
  const std::string by_name = "https://localhost:" + std::to_string(server_->port()) + "/q";
  EXPECT_EQ(GetError(by_name, options), "<replied 200>");
}

TEST_F(HttpsGetTest, WithoutTheCaVerificationFailsClearly) {
  const std::string url = server_->url("/q");
  HttpGetOptions options;
  options.bearer_token = "tls-token";
  const std::string error = GetError(url, options);
  EXPECT_EQ(error.rfind("GET " + url + ": TLS certificate verification failed (", 0), 0u) << error;
  EXPECT_NE(error.find("ca_file"), std::string::npos) << error;
  EXPECT_EQ(error.find("tls-token"), std::string::npos) << error;
  EXPECT_TRUE(server_->Requests().empty());  // nothing, the token least, went out
  // The server notices the refused handshake a moment after the client has given up.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (server_->FailedHandshakes() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_GE(server_->FailedHandshakes(), 1);

  // A CA that did not sign it is no better.
  TempDir other_dir;
  const TestPki other = testing::MakeTestPki(other_dir);
  ASSERT_EQ(other.error, "");
  options.ca_file = other.ca_file;
  EXPECT_EQ(GetError(url, options).rfind("GET " + url + ": TLS certificate verification failed", 0),
            0u);
  options.ca_file = dir_.path() + "/missing.pem";
  const std::string missing = GetError(url, options);
  EXPECT_NE(missing.find(options.ca_file), std::string::npos) << missing;
}

TEST_F(HttpsGetTest, PlainHttpToATlsServerIsAnError) {
  std::string url = server_->url("/q");
  url.replace(0, 5, "http");
  const std::string error = GetError(url);
  EXPECT_EQ(error.rfind("GET " + url + ": ", 0), 0u) << error;
}

}  // namespace
}  // namespace upkeep
