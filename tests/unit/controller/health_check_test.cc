// The health check against a real HTTP server on 127.0.0.1 (a failure then a pass, an old
// revision under expect_revision, nothing listening) and with real commands; and the rule for
// finding a revision in an answer.

#include "controller/health_check.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "common/fd.h"
#include "tests/support/daemon_process.h"
#include "tests/support/scripted_http_server.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedHttpServer;
using testing::TempDir;

const std::string kNew = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const std::string kOld = "ffeeddccbbaa99887766554433221100ffeeddcc";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

HealthCheckSpec UrlSpec(const std::string& url, uint32_t retries) {
  HealthCheckSpec spec;
  spec.url = url;
  spec.timeout = 5s;
  spec.retries = retries;
  spec.interval = 20ms;
  return spec;
}

std::string Reply(int status, const std::string& body) {
  return ScriptedHttpServer::Response(status, status == 200 ? "OK" : "Internal Server Error", body);
}

class HealthCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    log_path_ = dir_.path() + "/update.log";
    log_ = Fd(::open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    context_.repo = dir_.path();
    context_.log_fd = log_.get();
    context_.to_rev = kNew;
  }

  TempDir dir_;
  std::string log_path_;
  Fd log_;
  StepContext context_;
};

TEST_F(HealthCheckTest, A500ThenA200PassesOnALaterAttempt) {
  ScriptedHttpServer server;
  server.SetReply({.raw = Reply(500, "starting")});
  std::atomic<bool> done = false;
  std::thread heal([&] {
    while (!done && server.Requests().empty()) std::this_thread::sleep_for(1ms);
    server.SetReply({.raw = Reply(200, "{\"ok\":true}")});
  });
  const HealthCheckOutcome outcome =
      RunHealthCheck(UrlSpec(server.url("/api/version"), 50), kNew, context_);
  done = true;
  heal.join();
  EXPECT_TRUE(outcome.passed) << outcome.last_error;
  EXPECT_GE(outcome.attempts, 2);
  EXPECT_EQ(outcome.last_error, "");
  const std::string log = ReadAll(log_path_);
  EXPECT_NE(log.find("--- health check 1/51: GET " + server.url("/api/version") +
                     ": HTTP 500: starting\n"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find(": passed\n"), std::string::npos) << log;
}

TEST_F(HealthCheckTest, TheOldRevisionFailsUnderExpectRevision) {
  ScriptedHttpServer server;
  server.SetReply({.raw = Reply(200, "{\"revision\":\"" + kOld + "\"}")});
  HealthCheckSpec spec = UrlSpec(server.url("/api/version"), 2);
  spec.expect_revision = true;
  HealthCheckOutcome outcome = RunHealthCheck(spec, kNew, context_);
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(server.Requests().size(), 3u);
  EXPECT_NE(
      outcome.last_error.find("revision " + kNew + " not in the answer: {\"revision\":\"" + kOld),
      std::string::npos)
      << outcome.last_error;
  EXPECT_NE(ReadAll(log_path_).find("--- health check failed after 3 attempts"), std::string::npos);

  // The new one (short, as `git describe` prints it) passes; without expect_revision any 2xx.
  server.SetReply({.raw = Reply(200, "{\"version\":\"1.4.0-3-g" + kNew.substr(0, 7) + "\"}")});
  outcome = RunHealthCheck(spec, kNew, context_);
  EXPECT_TRUE(outcome.passed) << outcome.last_error;
  EXPECT_EQ(outcome.attempts, 1);
  server.SetReply({.raw = Reply(204, "")});
  spec.expect_revision = false;
  EXPECT_TRUE(RunHealthCheck(spec, kNew, context_).passed);
}

TEST_F(HealthCheckTest, NothingListeningFailsAfterTheRetries) {
  uint16_t port = 0;
  {
    const Fd socket(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    socklen_t length = sizeof address;
    ASSERT_EQ(::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length), 0);
    port = ntohs(address.sin_port);
  }  // closed, never listened: connections are refused
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/health";
  const HealthCheckOutcome outcome = RunHealthCheck(UrlSpec(url, 1), kNew, context_);
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.attempts, 2);
  EXPECT_TRUE(outcome.last_error.starts_with("GET " + url + ": ")) << outcome.last_error;
}

TEST_F(HealthCheckTest, ACommandCheckRunsLikeAStepUntilItExitsZero) {
  HealthCheckSpec spec;
  spec.run =
      "n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; "
      "[ \"$UPKEEP_TO_REV\" = " +
      kNew + " ] && [ $n -ge 3 ]";
  spec.timeout = 30s;
  spec.retries = 5;
  spec.interval = 10ms;
  HealthCheckOutcome outcome = RunHealthCheck(spec, kNew, context_);
  EXPECT_TRUE(outcome.passed) << outcome.last_error;
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(ReadAll(dir_.path() + "/count"), "3\n");
  const std::string log = ReadAll(log_path_);
  EXPECT_NE(log.find("--- step health_check#1: n=$(cat count"), std::string::npos) << log;
  EXPECT_NE(log.find("--- health check 3/6: passed\n"), std::string::npos) << log;

  spec.run = "echo not ready >&2; exit 3";
  spec.retries = 1;
  outcome = RunHealthCheck(spec, kNew, context_);
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.attempts, 2);
  EXPECT_EQ(outcome.last_error, spec.run + ": failed (exit 3): not ready");

  spec.run = "sleep 600";
  spec.timeout = 200ms;
  spec.retries = 0;
  context_.kill_grace = 100ms;
  outcome = RunHealthCheck(spec, kNew, context_);
  EXPECT_FALSE(outcome.passed);
  EXPECT_EQ(outcome.last_error, "sleep 600: timed out after 200ms");
}

TEST_F(HealthCheckTest, NoHealthCheckPassesAtOnceAndABadUrlFails) {
  const HealthCheckOutcome none = RunHealthCheck(HealthCheckSpec{}, kNew, context_);
  EXPECT_TRUE(none.passed);
  EXPECT_EQ(none.attempts, 0);
  const HealthCheckOutcome bad = RunHealthCheck(UrlSpec("ftp://x/", 3), kNew, context_);
  EXPECT_FALSE(bad.passed);
  EXPECT_EQ(bad.attempts, 0);
  EXPECT_TRUE(bad.last_error.starts_with("health_check.url: ")) << bad.last_error;
}

TEST(BodyNamesRevisionTest, TheRevisionOrAPrefixOfSevenDelimitedByNonHex) {
  EXPECT_TRUE(BodyNamesRevision(kNew, kNew));
  EXPECT_TRUE(BodyNamesRevision("{\"rev\":\"" + kNew + "\"}", kNew));
  EXPECT_TRUE(BodyNamesRevision("v1.2.3-g" + kNew.substr(0, 7), kNew));
  EXPECT_TRUE(BodyNamesRevision("commit " + kNew.substr(0, 12) + "\n", kNew));
  EXPECT_TRUE(BodyNamesRevision("REV=1A2B3C4D5E6F", kNew));  // case does not matter
  EXPECT_FALSE(BodyNamesRevision(kNew.substr(0, 6), kNew));  // too short to mean anything
  EXPECT_FALSE(BodyNamesRevision(kOld, kNew));
  EXPECT_FALSE(BodyNamesRevision("ab" + kNew, kNew));  // inside a longer hex run
  EXPECT_FALSE(BodyNamesRevision(kNew + "00", kNew));
  EXPECT_FALSE(BodyNamesRevision(kNew.substr(0, 7) + "0", kNew));  // a different prefix
  EXPECT_FALSE(BodyNamesRevision("", kNew));
  EXPECT_FALSE(BodyNamesRevision("anything", ""));  // no revision to expect: nothing matches
}

}  // namespace
}  // namespace upkeep
