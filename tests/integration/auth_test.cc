// Access control against the real binary on 127.0.0.1: API tokens made by the real
// `upkeep token` command, JWTs signed by the test's own HS256 signer, real files changed while
// the daemon runs, real signals, real promtool.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/jwt_signer.h"

namespace upkeep::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kHealth = "/api/system/health";

// Polls `done` until it holds or `limit` passes.
bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(25ms);
  }
  return done();
}

// A temp dir with a tokens file holding one admin and one metrics token, and a daemon started
// with `yaml` (which may use {tokens} and {dir}) as its config.
class AuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tokens_file_ = dir_.path() + "/tokens";
    admin_ = CreateToken(tokens_file_, "admin", "admin");
    metrics_ = CreateToken(tokens_file_, "scraper", "metrics");
    ASSERT_FALSE(admin_.empty());
    ASSERT_FALSE(metrics_.empty());
  }

  std::string Expand(std::string yaml) const {
    for (const auto& [key, value] :
         {std::pair<std::string, std::string>{"{tokens}", tokens_file_}, {"{dir}", dir_.path()}}) {
      for (size_t at; (at = yaml.find(key)) != std::string::npos;)
        yaml.replace(at, key.size(), value);
    }
    return yaml;
  }

  void Start(const std::string& yaml, std::vector<std::string> args = {}) {
    const std::string config = dir_.Write("upkeep.yaml", Expand(yaml));
    args.insert(args.begin(), {"--config", config});
    daemon_ = std::make_unique<DaemonProcess>(args);
    ASSERT_TRUE(daemon_->started()) << daemon_->Log();
    ASSERT_TRUE(WaitFor([&] { return Request(port(), "GET", "/-/ready").status == 200; }, 15s));
  }

  uint16_t port() const { return daemon_->port(); }
  HttpResponse Get(const std::string& path, const std::string& headers = "") const {
    return Request(port(), "GET", path, headers);
  }
  int Status(const std::string& path, const std::string& headers = "") const {
    return Get(path, headers).status;
  }

  TempDir dir_;
  std::string tokens_file_;
  std::string admin_;
  std::string metrics_;
  std::unique_ptr<DaemonProcess> daemon_;
};

void ExpectJsonError(const HttpResponse& response, int status, const std::string& code) {
  EXPECT_EQ(response.status, status);
  EXPECT_EQ(response.Header("content-type"), "application/json");
  EXPECT_EQ(response.Header("cache-control"), "no-store");
  EXPECT_EQ(response.Header("x-content-type-options"), "nosniff");
  const json body = json::parse(response.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << response.body;
  EXPECT_EQ(body["error"]["code"], code) << response.body;
  EXPECT_TRUE(body["error"]["message"].is_string());
}

TEST_F(AuthTest, EveryProtectedEndpointNeedsTheAdminRole) {
  Start("auth:\n  tokens_file: {tokens}\n  max_failures: 0\n");
  const std::string unknown = "upk_" + std::string(43, 'A');
  for (const std::string method : {"GET", "HEAD"}) {
    const auto call = [&](const std::string& headers) {
      return Request(port(), method, kHealth, headers);
    };
    SCOPED_TRACE(method);
    const HttpResponse none = call("");
    EXPECT_EQ(none.status, 401);
    EXPECT_EQ(none.Header("www-authenticate"), "Bearer realm=\"upkeep\"");
    const HttpResponse basic = call("Authorization: Basic YWRtaW46YWRtaW4=\r\n");
    EXPECT_EQ(basic.status, 401);
    EXPECT_EQ(basic.Header("www-authenticate").rfind("Bearer realm=\"upkeep\"", 0), 0u);
    EXPECT_EQ(call("Authorization: Bearer \r\n").status, 401);
    EXPECT_EQ(call("Authorization: Bearer\r\n").status, 401);
    EXPECT_EQ(call(Bearer(unknown)).status, 401);
    EXPECT_EQ(call(Bearer(admin_ + "x")).status, 401);
    EXPECT_EQ(call(Bearer(metrics_)).status, 403);
    EXPECT_EQ(call(Bearer(admin_)).status, 200);
  }
  ExpectJsonError(Get(kHealth), 401, "unauthorized");
  ExpectJsonError(Get(kHealth, Bearer(metrics_)), 403, "forbidden");
  const HttpResponse ok = Get(kHealth, Bearer(admin_));
  EXPECT_EQ(ok.Header("cache-control"), "no-store");
  EXPECT_EQ(ok.Header("x-content-type-options"), "nosniff");
  EXPECT_TRUE(json::parse(ok.body).contains("cpu"));

  // Error bodies never echo the credential.
  for (const std::string& credential : {unknown, metrics_, admin_ + "x"}) {
    const HttpResponse refused = Get(kHealth, Bearer(credential));
    EXPECT_EQ(refused.body.find(credential), std::string::npos) << refused.body;
  }
  EXPECT_EQ(daemon_->Log().find(unknown), std::string::npos);

  // Everything under /api/ is protected, existing or not: no probing without credentials.
  EXPECT_EQ(Status("/api/system/update/check"), 401);
  EXPECT_EQ(Status("/api/system/nope", Bearer(admin_)), 404);
  EXPECT_EQ(Status("/api/", Bearer(metrics_)), 403);
  // The wrong method is only revealed to an admin.
  EXPECT_EQ(Request(port(), "POST", kHealth, "", "{}").status, 401);
  EXPECT_EQ(Request(port(), "POST", kHealth, Bearer(admin_), "{}").status, 405);
  // The unprotected paths.
  for (const char* path : {"/", "/-/healthy", "/-/ready", "/metrics"}) {
    EXPECT_EQ(Status(path), 200) << path;
  }
  // The log names the client, path and reason.
  EXPECT_NE(daemon_->Log().find("auth: refused: client 127.0.0.1 path /api/system/health reason"),
            std::string::npos);
}

TEST_F(AuthTest, ARevokedTokenIsRefusedWhileTheDaemonRuns) {
  Start("auth:\n  tokens_file: {tokens}\n  max_failures: 0\n");  // the polls below fail
  const std::string temporary = CreateToken(tokens_file_, "temporary", "admin");
  ASSERT_TRUE(WaitFor([&] { return Status(kHealth, Bearer(temporary)) == 200; }))
      << "a token added while running is accepted within the watch interval\n"
      << daemon_->Log();
  const CommandResult revoked = RunCommand(
      {UPKEEP_BINARY, "token", "revoke", "--name", "temporary", "--tokens-file", tokens_file_});
  ASSERT_EQ(revoked.exit_status, 0) << revoked.output;
  EXPECT_TRUE(WaitFor([&] { return Status(kHealth, Bearer(temporary)) == 401; })) << daemon_->Log();
  EXPECT_EQ(Status(kHealth, Bearer(admin_)), 200);
}

TEST_F(AuthTest, SighupReloadsAtOnce) {
  // The watcher would not look again for an hour: only SIGHUP can bring the change in.
  Start("auth:\n  tokens_file: {tokens}\n  watch_interval: 1h\n");
  const std::string late = CreateToken(tokens_file_, "late", "admin");
  EXPECT_EQ(Status(kHealth, Bearer(late)), 401);
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  EXPECT_TRUE(WaitFor([&] { return Status(kHealth, Bearer(late)) == 200; })) << daemon_->Log();
  EXPECT_NE(daemon_->Log().find("reloading credentials (SIGHUP)"), std::string::npos);
  // Still running, and a second SIGHUP is fine too.
  ASSERT_EQ(::kill(daemon_->pid(), SIGHUP), 0);
  EXPECT_EQ(Status(kHealth, Bearer(admin_)), 200);
  EXPECT_EQ(daemon_->StopWith(SIGTERM, 10s), std::optional<int>(0));
}

TEST_F(AuthTest, AMalformedTokensFileKeepsTheLastGoodSet) {
  Start("auth:\n  tokens_file: {tokens}\n  watch_interval: 200ms\n");
  {
    std::ofstream append(tokens_file_, std::ios::app);
    append << "intruder admin not-a-hash\n";
  }
  EXPECT_TRUE(WaitFor([&] {
    return daemon_->Log().find("line 5: the third field must be a SHA-256") != std::string::npos;
  })) << daemon_->Log();
  const std::string log = daemon_->Log();
  EXPECT_NE(log.find("cannot reload the tokens file"), std::string::npos) << log;
  EXPECT_NE(log.find("keeping the previous 2 token(s)"), std::string::npos) << log;
  EXPECT_EQ(Status(kHealth, Bearer(admin_)), 200);
  EXPECT_EQ(Status(kHealth, Bearer(metrics_)), 403);
}

class JwtTest : public AuthTest {
 protected:
  void SetUp() override {
    AuthTest::SetUp();
    // `echo secret > file` leaves a newline; it is not part of the key.
    dir_.Write("jwt.secret", std::string(kSecret) + "\n");
    ::chmod((dir_.path() + "/jwt.secret").c_str(), 0600);
    Start(
        "auth:\n  tokens_file: {tokens}\n  max_failures: 0\n  metrics: token\n"
        "  jwt: { secret_file: {dir}/jwt.secret, issuer: renderfarm, audience: upkeep }\n");
  }
  std::string Jwt(const std::string& extra_claims, std::string_view secret = kSecret,
                  std::string_view header = kHs256Header, int64_t exp_offset = 600) const {
    const std::string payload = R"({"iss":"renderfarm","aud":"upkeep","sub":"alice","exp":)" +
                                std::to_string(NowSeconds() + exp_offset) + extra_claims + "}";
    return SignJwt(header, payload, secret);
  }
  static constexpr std::string_view kSecret = "a-shared-secret-of-at-least-32-bytes!";
};

TEST_F(JwtTest, TheWholeMatrix) {
  const int64_t now = NowSeconds();
  const std::string admin_role = R"(,"role":"admin")";
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role))), 200);
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(R"(,"role":["viewer","admin"])"))), 200);
  // Expired an hour ago; not valid for another hour.
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role, kSecret, kHs256Header, -3600))), 401);
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role + R"(,"nbf":)" + std::to_string(now + 3600)))),
            401);
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role, "not-the-secret"))), 401);
  // The secret with its newline is not the key either.
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role, std::string(kSecret) + "\n"))), 401);
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role, kSecret, R"({"alg":"none","typ":"JWT"})"))),
            401);
  const std::string unsigned_none = Jwt(admin_role, kSecret, R"({"alg":"none"})");
  EXPECT_EQ(Status(kHealth, Bearer(unsigned_none.substr(0, unsigned_none.rfind('.') + 1))), 401);
  EXPECT_EQ(Status(kHealth, Bearer(Jwt(admin_role, kSecret, R"({"alg":"RS256","typ":"JWT"})"))),
            401);
  // Tampered: an admin role pasted over a metrics token's payload.
  const std::string metrics_jwt = Jwt(R"(,"role":"metrics")");
  const std::string admin_jwt = Jwt(admin_role);
  const std::string tampered =
      metrics_jwt.substr(0, metrics_jwt.find('.')) +
      admin_jwt.substr(admin_jwt.find('.'), admin_jwt.rfind('.') - admin_jwt.find('.')) +
      metrics_jwt.substr(metrics_jwt.rfind('.'));
  EXPECT_EQ(Status(kHealth, Bearer(tampered)), 401);
  // exp missing.
  EXPECT_EQ(Status(kHealth, Bearer(SignJwt(kHs256Header,
                                           R"({"iss":"renderfarm","aud":"upkeep","role":"admin"})",
                                           kSecret))),
            401);
  // Role missing: a valid login without the role.
  ExpectJsonError(Get(kHealth, Bearer(Jwt(""))), 403, "forbidden");
  EXPECT_EQ(Status(kHealth, Bearer(metrics_jwt)), 403);
  // Issuer and audience are configured here.
  EXPECT_EQ(
      Status(kHealth, Bearer(SignJwt(kHs256Header,
                                     R"({"iss":"elsewhere","aud":"upkeep","role":"admin","exp":)" +
                                         std::to_string(now + 600) + "}",
                                     kSecret))),
      401);
  EXPECT_EQ(
      Status(kHealth,
             Bearer(SignJwt(kHs256Header,
                            R"({"iss":"renderfarm","aud":["web","upkeep"],"role":"admin","exp":)" +
                                std::to_string(now + 600) + "}",
                            kSecret))),
      200);
  // Garbage and truncations.
  EXPECT_EQ(Status(kHealth, Bearer(admin_jwt.substr(0, admin_jwt.size() / 2))), 401);
  EXPECT_EQ(Status(kHealth, Bearer("a.b.c")), 401);
  // A JWT with the metrics role may scrape (auth.metrics: token), as may an admin.
  EXPECT_EQ(Status("/metrics", Bearer(metrics_jwt)), 200);
  EXPECT_EQ(Status("/metrics", Bearer(admin_jwt)), 200);
  EXPECT_EQ(Status("/metrics", Bearer(Jwt(""))), 403);
  // The log names the reason, never the token.
  const std::string log = daemon_->Log();
  EXPECT_NE(log.find("JWT expired"), std::string::npos);
  EXPECT_NE(log.find("bad JWT signature"), std::string::npos);
  EXPECT_EQ(log.find(admin_jwt), std::string::npos);
}

TEST_F(AuthTest, MetricsOpenByDefaultAndTokenWhenConfigured) {
  Start("auth:\n  tokens_file: {tokens}\n");
  EXPECT_EQ(Status("/metrics"), 200);
  EXPECT_EQ(Status("/metrics", Bearer("upk_garbage")), 200);  // open: credentials are ignored
  daemon_.reset();

  Start("auth:\n  tokens_file: {tokens}\n  metrics: token\n  max_failures: 0\n");
  const HttpResponse none = Get("/metrics");
  ExpectJsonError(none, 401, "unauthorized");
  EXPECT_EQ(none.Header("www-authenticate"), "Bearer realm=\"upkeep\"");
  EXPECT_EQ(Status("/metrics", Bearer("upk_" + std::string(43, 'B'))), 401);
  const HttpResponse scraped = Get("/metrics", Bearer(metrics_));
  EXPECT_EQ(scraped.status, 200);
  EXPECT_NE(scraped.body.find("upkeep_cpu_seconds_total"), std::string::npos);
  EXPECT_EQ(Status("/metrics", Bearer(admin_)), 200);
  EXPECT_EQ(Request(port(), "HEAD", "/metrics", Bearer(metrics_)).status, 200);
  // The metrics role still cannot use the admin API; the probes stay open.
  EXPECT_EQ(Status(kHealth, Bearer(metrics_)), 403);
  EXPECT_EQ(Status("/-/healthy"), 200);
  EXPECT_EQ(Status("/"), 200);
}

TEST_F(AuthTest, TooManyFailuresLockTheClientOutThenItRecovers) {
  Start("auth:\n  tokens_file: {tokens}\n  lockout_window: 2s\n", {"--sample.interval", "100ms"});
  const std::string wrong = Bearer("upk_" + std::string(43, 'C'));
  for (int i = 0; i < 10; ++i) ASSERT_EQ(Status(kHealth, wrong), 401) << i;
  // The 11th request, even with a valid token, is refused until the window passes.
  const HttpResponse locked = Get(kHealth, Bearer(admin_));
  ExpectJsonError(locked, 429, "too_many_failures");
  const int retry_after = std::stoi(locked.Header("retry-after"));
  EXPECT_GE(retry_after, 1);
  EXPECT_LE(retry_after, 2);
  // Unauthenticated paths, /metrics in open mode among them, are not affected.
  EXPECT_EQ(Status("/metrics"), 200);
  EXPECT_EQ(Status("/-/healthy"), 200);
  EXPECT_NE(daemon_->Log().find("auth: client 127.0.0.1 locked out for 2 s after 10 failed"),
            std::string::npos)
      << daemon_->Log();
  // Recovery after the window (the bound leaves a wide margin over the 2 s).
  EXPECT_TRUE(WaitFor([&] { return Status(kHealth, Bearer(admin_)) == 200; }, 15s));
  // Counted by reason in the next snapshots.
  EXPECT_TRUE(WaitFor([&] {
    const std::string text = Get("/metrics").body;
    return text.find("upkeep_http_auth_failures_total{reason=\"unknown_token\"} 10\n") !=
               std::string::npos &&
           text.find("upkeep_http_auth_failures_total{reason=\"locked_out\"} 0\n") ==
               std::string::npos;
  })) << Get("/metrics").body;
}

TEST_F(AuthTest, ForwardedForCountsOnlyFromTrustedProxies) {
  Start(
      "web:\n  trusted_proxies: [\"127.0.0.1/32\"]\nauth:\n  tokens_file: {tokens}\n"
      "  max_failures: 3\n  lockout_window: 1m\n");
  const std::string attacker = "X-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n";
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Status(kHealth, attacker + Bearer("upk_wrong")), 401);
  }
  EXPECT_EQ(Status(kHealth, attacker + Bearer(admin_)), 429);
  // Another client behind the same proxy, and the proxy itself, are not locked out.
  EXPECT_EQ(Status(kHealth, "X-Forwarded-For: 203.0.113.10\r\n" + Bearer(admin_)), 200);
  EXPECT_EQ(Status(kHealth, Bearer(admin_)), 200);
  EXPECT_NE(daemon_->Log().find("client 203.0.113.9 path /api/system/health"), std::string::npos)
      << daemon_->Log();
  daemon_.reset();

  // Without trusted proxies the header is the client's own claim: ignored.
  Start("auth:\n  tokens_file: {tokens}\n  max_failures: 3\n  lockout_window: 1m\n");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(Status(kHealth, "X-Forwarded-For: 203.0.113." + std::to_string(i) + "\r\n" +
                                  Bearer("upk_wrong")),
              401);
  }
  EXPECT_EQ(Status(kHealth, "X-Forwarded-For: 203.0.113.77\r\n" + Bearer(admin_)), 429);
}

TEST_F(AuthTest, RequestCountersReachMetricsButScrapesAreNotCounted) {
  Start("auth:\n  tokens_file: {tokens}\n", {"--sample.interval", "100ms"});
  ASSERT_EQ(Status(kHealth, Bearer(admin_)), 200);
  ASSERT_EQ(Status(kHealth, Bearer(admin_)), 200);
  ASSERT_EQ(Status(kHealth), 401);
  ASSERT_EQ(Status("/nope"), 404);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Status("/metrics"), 200);
  std::string text;
  EXPECT_TRUE(WaitFor([&] {
    text = Get("/metrics").body;
    return text.find(
               "upkeep_http_requests_total{handler=\"/api/system/health\",code=\"200\"} 2\n") !=
               std::string::npos &&
           text.find(
               "upkeep_http_requests_total{handler=\"/api/system/health\",code=\"401\"} 1\n") !=
               std::string::npos &&
           text.find("upkeep_http_requests_total{handler=\"other\",code=\"404\"} 1\n") !=
               std::string::npos;
  })) << text;
  EXPECT_EQ(text.find("handler=\"/metrics\""), std::string::npos) << text;
  EXPECT_NE(text.find("upkeep_http_auth_failures_total{reason=\"missing\"} 1\n"),
            std::string::npos);
  const CommandResult promtool = RunCommand({"promtool", "check", "metrics"}, text);
  EXPECT_EQ(promtool.exit_status, 0) << promtool.output;
  EXPECT_EQ(promtool.output, "");
}

TEST_F(AuthTest, NoCredentialsConfiguredMeans401ForEveryoneAndAWarning) {
  Start("log:\n  level: info\n");
  EXPECT_NE(daemon_->Log().find("no auth.tokens_file and no auth.jwt.secret_file: the admin API "
                                "(/api/...) answers 401 to every request"),
            std::string::npos)
      << daemon_->Log();
  EXPECT_EQ(Status(kHealth, Bearer(admin_)), 401);
  EXPECT_EQ(Status("/metrics"), 200);
  // Loopback: no clear-text warning.
  EXPECT_EQ(daemon_->Log().find("without TLS"), std::string::npos);
}

TEST_F(AuthTest, ListeningBeyondLoopbackWithoutTlsWarns) {
  Start("auth:\n  tokens_file: {tokens}\n", {"--web.listen-address", "0.0.0.0:0"});
  EXPECT_NE(daemon_->Log().find("the admin API listens on 0.0.0.0 without TLS"), std::string::npos)
      << daemon_->Log();
}

TEST_F(AuthTest, AnOpenTokensFileIsWarnedAbout) {
  ::chmod(tokens_file_.c_str(), 0644);
  Start("auth:\n  tokens_file: {tokens}\n");
  EXPECT_NE(daemon_->Log().find("has mode 0644: other users can read it"), std::string::npos)
      << daemon_->Log();
}

TEST_F(AuthTest, UnusableCredentialFilesStopTheStart) {
  const auto start_fails = [&](const std::string& yaml, const std::string& expected) {
    const std::string config = dir_.Write("bad.yaml", Expand(yaml));
    const CommandResult run = RunCommand({"timeout", "20", UPKEEP_BINARY, "--config", config,
                                          "--web.listen-address", "127.0.0.1:0"});
    EXPECT_EQ(run.exit_status, 2) << run.output;
    EXPECT_NE(run.output.find(expected), std::string::npos) << run.output;
  };
  dir_.Write("broken-tokens", "# fine\nadmin admin abc\n");
  start_fails("auth:\n  tokens_file: {dir}/broken-tokens\n",
              "auth.tokens_file: " + dir_.path() + "/broken-tokens: line 2");
  start_fails("auth:\n  jwt: { secret_file: {dir}/missing.secret }\n",
              "auth.jwt.secret_file: cannot read " + dir_.path() + "/missing.secret");
  dir_.Write("empty.secret", "\n");
  start_fails("auth:\n  jwt: { secret_file: {dir}/empty.secret }\n", "the JWT secret is empty");
  // A tokens file that does not exist yet is not an error: it is watched for.
  dir_.Write("later.yaml", Expand("auth:\n  tokens_file: {dir}/later\n  max_failures: 0\n"));
  daemon_ = std::make_unique<DaemonProcess>(
      std::vector<std::string>{"--config", dir_.path() + "/later.yaml"});
  ASSERT_TRUE(daemon_->started()) << daemon_->Log();
  EXPECT_NE(daemon_->Log().find("does not exist: no API token is accepted"), std::string::npos);
  const std::string token = CreateToken(dir_.path() + "/later", "first", "admin");
  EXPECT_TRUE(WaitFor([&] { return Status(kHealth, Bearer(token)) == 200; })) << daemon_->Log();
}

TEST(TokenCommandProcessTest, ConcurrentCreatesAllLand) {
  TempDir dir;
  const std::string file = dir.path() + "/tokens";
  std::vector<std::thread> runs;
  std::vector<std::string> tokens(8);
  for (size_t i = 0; i < tokens.size(); ++i) {
    runs.emplace_back([&, i] { tokens[i] = CreateToken(file, "t" + std::to_string(i), "admin"); });
  }
  for (std::thread& run : runs) run.join();
  for (const std::string& token : tokens) EXPECT_FALSE(token.empty());
  const CommandResult listed = RunCommand({UPKEEP_BINARY, "token", "list", "--tokens-file", file});
  EXPECT_EQ(listed.exit_status, 0);
  for (size_t i = 0; i < tokens.size(); ++i) {
    EXPECT_NE(listed.output.find("t" + std::to_string(i) + " "), std::string::npos)
        << listed.output;
  }
}

TEST(MakeRunTest, TheFirstStartCreatesAnAdminTokenAndPrintsItOnce) {
  TempDir dir;
  const std::string tokens = dir.path() + "/tokens";
  const std::string config = dir.Write(
      "run.yaml", "web:\n  listen_address: 127.0.0.1:0\nauth:\n  tokens_file: " + tokens + "\n");
  const std::string build =
      std::string(UPKEEP_BINARY).substr(0, std::string(UPKEEP_BINARY).rfind('/'));
  ::setenv("BUILD", build.c_str(), 1);
  ::setenv("CONFIG", config.c_str(), 1);
  ::setenv("UPKEEP_TOKENS_FILE", tokens.c_str(), 1);
  const std::string script = std::string(UPKEEP_SOURCE_DIR) + "/scripts/run.sh";
  std::string token;
  {
    DaemonProcess first({}, 15s, script);
    ASSERT_TRUE(first.started()) << first.Log();
    const std::string log = first.Log();
    const size_t at = log.find("upk_");
    ASSERT_NE(at, std::string::npos) << log;
    token = log.substr(at, 47);
    EXPECT_NE(log.find("curl -s -H 'Authorization: Bearer " + token +
                       "' http://127.0.0.1:0"
                       "/api/system/health"),
              std::string::npos)
        << log;
    EXPECT_TRUE(WaitFor(
        [&] { return Request(first.port(), "GET", kHealth, Bearer(token)).status == 200; }, 15s));
  }
  {
    DaemonProcess second({}, 15s, script);  // the tokens file exists now: nothing printed
    ASSERT_TRUE(second.started()) << second.Log();
    EXPECT_EQ(second.Log().find("upk_"), std::string::npos) << second.Log();
    EXPECT_TRUE(WaitFor(
        [&] { return Request(second.port(), "GET", kHealth, Bearer(token)).status == 200; }, 15s));
  }
  ::unsetenv("BUILD");
  ::unsetenv("CONFIG");
  ::unsetenv("UPKEEP_TOKENS_FILE");
}

}  // namespace
}  // namespace upkeep::testing
