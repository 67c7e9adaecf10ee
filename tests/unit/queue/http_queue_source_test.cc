// The http queue source against a real HTTP server on 127.0.0.1 run by the test.

#include "queue/http_queue_source.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "queue/queue_json.h"
#include "tests/support/daemon_process.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/tls_test_pki.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedHttpServer;
using testing::ScriptedReply;
using testing::TempDir;

constexpr const char* kGoodBody =
    R"({"depth": 4, "activeJobs": [{"id": 9, "name": "shot_030", "progress": 0.5}]})";

HttpQueueSource MakeSource(const std::string& url, std::chrono::milliseconds timeout = 2000ms,
                           const std::string& token_file = "", const std::string& ca_file = "") {
  HttpQueueSourceOptions options;
  options.url = ParseHttpUrl(url).value();
  options.url_text = url;
  options.bearer_token_file = token_file;
  options.timeout = timeout;
  options.ca_file = ca_file;
  return HttpQueueSource(options);
}

std::string ErrorOf(HttpQueueSource source) {
  const Result<QueueProbe> probe = source.Probe();
  return probe.ok() ? "<succeeded>" : probe.error();
}

TEST(HttpQueueSourceTest, GoodSummary) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", kGoodBody)});
  HttpQueueSource source = MakeSource(server.url("/api/queue/summary?v=1"));
  const Result<QueueProbe> probe = source.Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 4);
  EXPECT_EQ(probe->active_jobs, 1);
  EXPECT_EQ(probe->active_job["name"], "shot_030");
  const std::vector<std::string> requests = server.Requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].rfind("GET /api/queue/summary?v=1 HTTP/1.1\r\n", 0), 0u) << requests[0];
  EXPECT_NE(requests[0].find("\r\nHost: 127.0.0.1:" + std::to_string(server.port()) + "\r\n"),
            std::string::npos);
  EXPECT_EQ(requests[0].find("Authorization"), std::string::npos);
}

TEST(HttpQueueSourceTest, ChunkedAndKeptOpenConnection) {
  ScriptedHttpServer server;
  // Chunked, and the server does not close: the end of the chunked body ends the exchange.
  server.SetReply(
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
       "d\r\n{\"depth\": 2, \r\n12\r\n\"activeJob\": null}\r\n0\r\n\r\n",
       0ms, false});
  const Result<QueueProbe> probe = MakeSource(server.url("/q")).Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 2);
  EXPECT_EQ(probe->active_jobs, 0);
}

TEST(HttpQueueSourceTest, NameLookup) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", kGoodBody)});
  // "localhost" goes through getaddrinfo (it may give ::1 first: the next address is tried).
  const Result<QueueProbe> probe =
      MakeSource("http://localhost:" + std::to_string(server.port()) + "/q").Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 4);
  EXPECT_NE(server.Requests().at(0).find("\r\nHost: localhost:"), std::string::npos);
}

TEST(HttpQueueSourceTest, BearerTokenFromFileReadAtEachProbe) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", kGoodBody)});
  TempDir dir;
  const std::string token_file = dir.Write("token", "first-token\n");
  HttpQueueSource source = MakeSource(server.url("/q"), 2000ms, token_file);
  ASSERT_TRUE(source.Probe().ok());
  dir.Write("token", "  second-token  \n\n");  // rotated
  ASSERT_TRUE(source.Probe().ok());
  const std::vector<std::string> requests = server.Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[0].find("\r\nAuthorization: Bearer first-token\r\n"), std::string::npos);
  EXPECT_NE(requests[1].find("\r\nAuthorization: Bearer second-token\r\n"), std::string::npos);
}

TEST(HttpQueueSourceTest, BadTokenFilesAreClearAndNeverQuoteTheToken) {
  ScriptedHttpServer server;
  TempDir dir;
  const std::string url = server.url("/q");
  const std::string missing = dir.path() + "/nope";
  EXPECT_EQ(ErrorOf(MakeSource(url, 2000ms, missing)),
            "GET " + url + ": bearer_token_file " + missing + ": No such file or directory");
  const std::string empty = dir.Write("empty", "\n");
  EXPECT_EQ(ErrorOf(MakeSource(url, 2000ms, empty)),
            "GET " + url + ": bearer_token_file " + empty + ": the file is empty");
  const std::string two_lines = dir.Write("two", "secret-one\r\nX-Injected: secret-two\n");
  const std::string error = ErrorOf(MakeSource(url, 2000ms, two_lines));
  EXPECT_EQ(error, "GET " + url + ": bearer_token_file " + two_lines +
                       ": the token contains spaces or control characters");
  EXPECT_EQ(error.find("secret"), std::string::npos);
  EXPECT_TRUE(server.Requests().empty());  // nothing was sent
}

TEST(HttpQueueSourceTest, SlowServerFailsAtTheTimeout) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", kGoodBody), 20s, false});
  const std::string url = server.url("/slow");
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ErrorOf(MakeSource(url, 300ms)),
            "GET " + url + ": no complete response within the timeout of 300 ms");
  // It gave up long before the server would have answered.
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(HttpQueueSourceTest, ServerErrorStatus) {
  ScriptedHttpServer server;
  const std::string url = server.url("/q");
  server.SetReply({ScriptedHttpServer::Response(500, "Internal Server Error",
                                                "{\"error\": \"db down at 12:00:01\"}")});
  EXPECT_EQ(ErrorOf(MakeSource(url)), "GET " + url + ": HTTP 500 Internal Server Error");
  server.SetReply({ScriptedHttpServer::Response(401, "Unauthorized", "")});
  EXPECT_EQ(ErrorOf(MakeSource(url)),
            "GET " + url + ": HTTP 401 Unauthorized (check bearer_token_file)");
  server.SetReply({"HTTP/1.1 302 Found\r\nLocation: /login\r\nContent-Length: 0\r\n\r\n"});
  EXPECT_EQ(ErrorOf(MakeSource(url)),
            "GET " + url + ": HTTP 302 Found (redirects are not followed)");
}

TEST(HttpQueueSourceTest, Garbage) {
  ScriptedHttpServer server;
  const std::string url = server.url("/q");
  server.SetReply({ScriptedHttpServer::Response(200, "OK", "<html>Login</html>", "text/html")});
  std::string error = ErrorOf(MakeSource(url));
  EXPECT_EQ(error.rfind("GET " + url + ": not JSON (", 0), 0u) << error;
  EXPECT_NE(error.find("output starts with \"<html>Login</html>\""), std::string::npos) << error;

  server.SetReply({ScriptedHttpServer::Response(200, "OK", R"({"depth": "lots"})")});
  EXPECT_EQ(ErrorOf(MakeSource(url)),
            "GET " + url + ": \"depth\" must be an integer, got a string");

  server.SetReply({"\x16\x03\x01 binary noise, not HTTP at all"});
  error = ErrorOf(MakeSource(url));
  EXPECT_EQ(error.rfind("GET " + url + ": not an HTTP response (", 0), 0u) << error;

  // A body larger than any queue summary, chunked so that no header announces it.
  std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(64 * 1024, ' ');
  for (size_t sent = 0; sent <= kMaxQueueJsonBytes; sent += chunk.size()) {
    chunked += "10000\r\n" + chunk + "\r\n";
  }
  server.SetReply({chunked + "0\r\n\r\n"});
  EXPECT_EQ(ErrorOf(MakeSource(url)), "GET " + url + ": the response body is larger than " +
                                          std::to_string(kMaxQueueJsonBytes) + " bytes");

  server.SetReply({"", 0ms, true});
  EXPECT_EQ(ErrorOf(MakeSource(url)),
            "GET " + url + ": the server closed the connection without a response");
}

TEST(HttpQueueSourceTest, NothingListening) {
  // A port that was just free: bound, then closed.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  const std::string port = std::to_string(ntohs(address.sin_port));
  const std::string url = "http://127.0.0.1:" + port + "/q";
  EXPECT_EQ(ErrorOf(MakeSource(url)),
            "GET " + url + ": cannot connect to 127.0.0.1:" + port + ": Connection refused");
}

TEST(HttpQueueSourceTest, ErrorsNameTheUrlAsConfigured) {
  ScriptedHttpServer server;
  const std::string url = "HTTP://127.0.0.1:" + std::to_string(server.port()) + "/q#latest";
  server.SetReply({"", 0ms, true});
  EXPECT_EQ(ErrorOf(MakeSource(url)),
            "GET " + url + ": the server closed the connection without a response");
  server.SetReply({ScriptedHttpServer::Response(503, "Service Unavailable", "")});
  EXPECT_EQ(ErrorOf(MakeSource(url)), "GET " + url + ": HTTP 503 Service Unavailable");
}

TEST(HttpQueueSourceTest, HttpsWithAPrivateCa) {
  TempDir dir;
  const testing::TestPki pki = testing::MakeTestPki(dir);
  ASSERT_EQ(pki.error, "");
  ScriptedHttpServer server(testing::ScriptedTls{pki.cert_file, pki.key_file});
  server.SetReply({ScriptedHttpServer::Response(200, "OK", kGoodBody)});
  const std::string url = server.url("/api/queue/summary");
  const std::string token_file = dir.Write("token", "tls-secret\n");
  const Result<QueueProbe> probe = MakeSource(url, 5000ms, token_file, pki.ca_file).Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 4);
  ASSERT_EQ(server.Requests().size(), 1u);
  EXPECT_NE(server.Requests()[0].find("\r\nAuthorization: Bearer tls-secret\r\n"),
            std::string::npos);

  // Without ca_file only the system's CAs count, and none of them signed this certificate.
  const std::string error = ErrorOf(MakeSource(url, 5000ms, token_file));
  EXPECT_EQ(error.rfind("GET " + url + ": TLS certificate verification failed (", 0), 0u) << error;
  EXPECT_EQ(error.find("tls-secret"), std::string::npos) << error;
  EXPECT_EQ(server.Requests().size(), 1u);
}

}  // namespace
}  // namespace upkeep
