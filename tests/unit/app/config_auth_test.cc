// The access-control keys of the config: auth:, web.tls, web.max_body_bytes, web.trusted_proxies.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "app/config.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

std::string YamlError(std::string_view yaml) {
  try {
    ParseConfigYaml(yaml, "test.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError thrown>";
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << (text)

TEST(ConfigAuthTest, DefaultsAreSafe) {
  const Config c = DefaultConfig();
  EXPECT_EQ(c.auth.tokens_file, "");
  EXPECT_EQ(c.auth.metrics, "open");
  EXPECT_EQ(c.auth.jwt.secret_file, "");
  EXPECT_EQ(c.auth.jwt.role_claim, "role");
  EXPECT_EQ(c.auth.jwt.leeway, milliseconds(60'000));
  EXPECT_EQ(c.auth.max_failures, 10);
  EXPECT_EQ(c.auth.lockout_window, milliseconds(60'000));
  EXPECT_EQ(c.auth.watch_interval, milliseconds(1000));
  EXPECT_EQ(c.web.max_body_bytes, 64u * 1024u);
  EXPECT_FALSE(c.web.tls.enabled());
  EXPECT_TRUE(c.web.trusted_proxies.empty());
}

TEST(ConfigAuthTest, ReadsEveryKeyIncludingFlowMaps) {
  const Config c = ParseConfigYaml(R"(
web:
  listen_address: 127.0.0.1:9443
  tls: { cert_file: /etc/upkeep/cert.pem, key_file: /etc/upkeep/key.pem }
  max_body_bytes: 1024
  trusted_proxies: ["10.0.0.0/8", "::1"]
auth:
  tokens_file: /etc/upkeep/tokens
  metrics: token
  jwt: { secret_file: /etc/upkeep/jwt.secret, issuer: "farm", audience: "", role_claim: roles, leeway: 30s }
  max_failures: 5
  lockout_window: 2m
  watch_interval: 500ms
)",
                                   "test.yaml");
  EXPECT_EQ(c.web.tls.cert_file, "/etc/upkeep/cert.pem");
  EXPECT_EQ(c.web.tls.key_file, "/etc/upkeep/key.pem");
  EXPECT_TRUE(c.web.tls.enabled());
  EXPECT_EQ(c.web.max_body_bytes, 1024u);
  EXPECT_EQ(c.web.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  EXPECT_EQ(c.web.listen_address, "127.0.0.1:9443");  // the old keys still read
  EXPECT_EQ(c.auth.tokens_file, "/etc/upkeep/tokens");
  EXPECT_EQ(c.auth.metrics, "token");
  EXPECT_EQ(c.auth.jwt.secret_file, "/etc/upkeep/jwt.secret");
  EXPECT_EQ(c.auth.jwt.issuer, "farm");
  EXPECT_EQ(c.auth.jwt.audience, "");
  EXPECT_EQ(c.auth.jwt.role_claim, "roles");
  EXPECT_EQ(c.auth.jwt.leeway, milliseconds(30'000));
  EXPECT_EQ(c.auth.max_failures, 5);
  EXPECT_EQ(c.auth.lockout_window, milliseconds(120'000));
  EXPECT_EQ(c.auth.watch_interval, milliseconds(500));
}

TEST(ConfigAuthTest, EmptySectionsKeepDefaults) {
  const Config c = ParseConfigYaml("auth:\nweb:\n  trusted_proxies: []\n", "test.yaml");
  EXPECT_EQ(c.auth.max_failures, 10);
  EXPECT_TRUE(c.web.trusted_proxies.empty());
}

TEST(ConfigAuthTest, ErrorsNameTheFileLineAndKey) {
  EXPECT_EQ(YamlError("auth:\n  metrics: closed\n"),
            "test.yaml:2: auth.metrics: must be one of open, token, got \"closed\"");
  EXPECT_CONTAINS(YamlError("auth:\n  token_file: x\n"),
                  "test.yaml:2: unknown key \"auth.token_file\" (did you mean \"tokens_file\"?)");
  EXPECT_CONTAINS(YamlError("auth:\n  jwt:\n    secret: x\n"),
                  "test.yaml:3: unknown key \"auth.jwt.secret\"");
  EXPECT_CONTAINS(YamlError("auth:\n  jwt: /etc/secret\n"),
                  "auth.jwt: expected a map of settings, got a single value");
  EXPECT_CONTAINS(YamlError("auth:\n  jwt:\n    leeway: 2h\n"),
                  "auth.jwt.leeway: must be at most 1h");
  EXPECT_CONTAINS(YamlError("auth:\n  jwt:\n    role_claim: \"\"\n"),
                  "auth.jwt.role_claim: must not be empty");
  EXPECT_CONTAINS(YamlError("auth:\n  max_failures: -1\n"),
                  "auth.max_failures: must be an integer from 0 to 1000000");
  EXPECT_CONTAINS(YamlError("auth:\n  max_failures: ten\n"), "auth.max_failures");
  EXPECT_CONTAINS(YamlError("auth:\n  lockout_window: 10ms\n"),
                  "auth.lockout_window: must be at least 1s");
  EXPECT_CONTAINS(YamlError("auth:\n  watch_interval: 1ms\n"), "auth.watch_interval");
  EXPECT_CONTAINS(YamlError("auth:\n  tokens_file: [a, b]\n"),
                  "auth.tokens_file: expected a single value, got a list");
  EXPECT_CONTAINS(YamlError("web:\n  max_body_bytes: 64KiB\n"),
                  "test.yaml:2: web.max_body_bytes: must be an integer from 0 to 1073741824");
  EXPECT_CONTAINS(YamlError("web:\n  max_body_bytes: 2000000000\n"), "web.max_body_bytes");
  EXPECT_CONTAINS(YamlError("web:\n  tls:\n    cert_file: /c.pem\n"),
                  "test.yaml:2: web.tls: set both cert_file and key_file, or neither");
  EXPECT_CONTAINS(YamlError("web:\n  tls:\n    key: /k.pem\n"), "unknown key \"web.tls.key\"");
  EXPECT_CONTAINS(YamlError("web:\n  trusted_proxies: 10.0.0.0/8\n"),
                  "web.trusted_proxies: expected a list of CIDRs");
  EXPECT_CONTAINS(YamlError("web:\n  trusted_proxies:\n    - 10.0.0.0/8\n    - 10.0.0.1/8\n"),
                  "test.yaml:4: web.trusted_proxies[1]: invalid CIDR \"10.0.0.1/8\"");
  EXPECT_CONTAINS(YamlError("web:\n  trusted_proxies: [proxy.local]\n"),
                  "not an IPv4 or IPv6 address");
  EXPECT_CONTAINS(YamlError("auth: on\n"), "auth: expected a map of settings");
  EXPECT_CONTAINS(YamlError("auth:\n  tokens_file: a\n  tokens_file: b\n"),
                  "duplicate key \"auth.tokens_file\"");
}

TEST(ConfigAuthTest, TheExampleConfigParsesWithTheTokensFileOfMakeRun) {
  const Config c = LoadConfigFile(std::string(UPKEEP_SOURCE_DIR) + "/config/upkeep.example.yaml");
  EXPECT_EQ(c.auth.tokens_file, "./var/tokens");
  EXPECT_EQ(c.auth.metrics, "open");
  EXPECT_EQ(c.web.max_body_bytes, 64u * 1024u);
}

}  // namespace
}  // namespace upkeep
