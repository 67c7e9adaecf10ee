#include "server/web_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

// gmock's HasSubstr without linking gmock: the unit test target links gtest only.
::testing::AssertionResult Contains(const char* text_expr, const char* part_expr,
                                    const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " does not contain " << part_expr
                                       << "\n  text: " << text << "\n  part: " << part;
}

Problem Set(WebOptions& o, std::string_view key, std::string_view value) {
  const Setting<WebOptions>* setting = FindSetting(WebSettings().settings, key);
  if (setting == nullptr) return "no setting " + std::string(key);
  return setting->set(o, value);
}

std::optional<KeyedProblem> Validate(const WebOptions& o) {
  return WebSettings().validate(o, GivenKeys{"web.tls"});
}

TEST(WebOptionsTest, EveryDefaultTextIsTheDefault) {
  for (const Setting<WebOptions>& s : WebSettings().settings) {
    if (s.kind != SettingKind::kScalar || s.default_text.empty()) continue;
    SCOPED_TRACE(s.key);
    WebOptions o;
    EXPECT_EQ(s.set(o, s.default_text), std::nullopt);
    EXPECT_EQ(o, WebOptions{});
  }
}

TEST(WebOptionsTest, ScalarValues) {
  WebOptions o;
  EXPECT_EQ(Set(o, "web.listen_address", "[::1]:9000"), std::nullopt);
  EXPECT_EQ(Set(o, "web.telemetry_path", "/custom/metrics"), std::nullopt);
  EXPECT_EQ(Set(o, "web.threads", "64"), std::nullopt);
  EXPECT_EQ(Set(o, "web.request_timeout", "5s"), std::nullopt);
  EXPECT_EQ(Set(o, "web.keep_alive_timeout", "1m30s"), std::nullopt);
  EXPECT_EQ(Set(o, "web.max_body_bytes", "1024"), std::nullopt);
  EXPECT_EQ(Set(o, "web.tls.cert_file", "/c.pem"), std::nullopt);
  EXPECT_EQ(Set(o, "web.tls.key_file", "/k.pem"), std::nullopt);
  EXPECT_EQ(o.listen_address, "[::1]:9000");
  EXPECT_EQ(o.telemetry_path, "/custom/metrics");
  EXPECT_EQ(o.threads, 64);
  EXPECT_EQ(o.request_timeout, milliseconds(5000));
  EXPECT_EQ(o.keep_alive_timeout, milliseconds(90'000));
  EXPECT_EQ(o.max_body_bytes, 1024u);
  EXPECT_TRUE(o.tls.enabled());
  EXPECT_EQ(Validate(o), std::nullopt);
}

TEST(WebOptionsTest, RefusedValues) {
  WebOptions o;
  EXPECT_EQ(Set(o, "web.threads", "0"),
            "must be an integer from 1 to 4096 (leave it out for the default), got \"0\"");
  EXPECT_EQ(Set(o, "web.telemetry_path", "metrics"), "must start with \"/\", got \"metrics\"");
  EXPECT_NE(Set(o, "web.telemetry_path", "/api/x")->find("is reserved"), std::string::npos);
  EXPECT_NE(Set(o, "web.telemetry_path", "/a b")->find("must not contain spaces"),
            std::string::npos);
  EXPECT_NE(Set(o, "web.listen_address", "10420")->find("invalid listen address"),
            std::string::npos);
  EXPECT_EQ(Set(o, "web.request_timeout", "0s"), "must be at least 1ms, got \"0s\"");
  EXPECT_EQ(Set(o, "web.keep_alive_timeout", "2d"), "must be at most 1d, got \"2d\"");
  EXPECT_EQ(Set(o, "web.max_body_bytes", "64KiB"),
            "must be an integer from 0 to 1073741824 (bytes), got \"64KiB\"");
  EXPECT_EQ(o, WebOptions{});
}

TEST(WebOptionsTest, TrustedProxiesIsAListOfCidrs) {
  const Setting<WebOptions>* proxies = FindSetting(WebSettings().settings, "web.trusted_proxies");
  ASSERT_NE(proxies, nullptr);
  EXPECT_EQ(proxies->kind, SettingKind::kList);
  EXPECT_TRUE(proxies->null_is_empty);
  EXPECT_EQ(proxies->set, nullptr);  // a single value is not a list here
  WebOptions o;
  proxies->clear(o);
  EXPECT_EQ(proxies->add(o, "10.0.0.0/8"), std::nullopt);
  EXPECT_EQ(proxies->add(o, "::1"), std::nullopt);
  EXPECT_NE(proxies->add(o, "10.0.0.1/8")->find("invalid CIDR \"10.0.0.1/8\""), std::string::npos);
  EXPECT_EQ(o.trusted_proxies, (std::vector<std::string>{"10.0.0.0/8", "::1"}));
  proxies->clear(o);
  EXPECT_TRUE(o.trusted_proxies.empty());
}

TEST(WebOptionsTest, TlsNeedsBothFilesOrNeither) {
  WebOptions o;
  EXPECT_EQ(Validate(o), std::nullopt);
  o.tls.cert_file = "/c.pem";
  std::optional<KeyedProblem> problem = Validate(o);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->key, "web.tls");
  EXPECT_EQ(problem->message, "web.tls: set both cert_file and key_file, or neither");
  o.tls = {.cert_file = "", .key_file = "/k.pem"};
  EXPECT_TRUE(Validate(o).has_value());
}

TEST(ListenAddressTest, Parses) {
  Result<HostPort> r = ParseListenAddress("0.0.0.0:10420");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->host, "0.0.0.0");
  EXPECT_EQ(r->port, 10420);

  r = ParseListenAddress("127.0.0.1:0");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->port, 0);

  r = ParseListenAddress("[::1]:9000");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->host, "::1");
  EXPECT_EQ(r->port, 9000);

  r = ParseListenAddress("[fe80::1%eth0]:65535");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->host, "fe80::1%eth0");
  EXPECT_EQ(r->port, 65535);

  r = ParseListenAddress(":10420");
  ASSERT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r->host, "");
  EXPECT_EQ(r->port, 10420);
}

TEST(ListenAddressTest, Rejects) {
  const auto error = [](std::string_view text) {
    const Result<HostPort> r = ParseListenAddress(text);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? std::string() : r.error();
  };
  EXPECT_PRED_FORMAT2(Contains, error(""), "missing \":PORT\"");
  EXPECT_PRED_FORMAT2(Contains, error("10420"), "missing \":PORT\"");
  EXPECT_PRED_FORMAT2(Contains, error("localhost"), "missing \":PORT\"");
  EXPECT_PRED_FORMAT2(Contains, error("0.0.0.0:"), "missing port");
  EXPECT_PRED_FORMAT2(Contains, error(":"), "missing port");
  EXPECT_PRED_FORMAT2(Contains, error("0.0.0.0:65536"), "from 0 to 65535");
  EXPECT_PRED_FORMAT2(Contains, error("0.0.0.0:99999999999999"), "from 0 to 65535");
  EXPECT_PRED_FORMAT2(Contains, error("0.0.0.0:-1"), "from 0 to 65535");
  EXPECT_PRED_FORMAT2(Contains, error("0.0.0.0:http"), "from 0 to 65535");
  EXPECT_PRED_FORMAT2(Contains, error("::1:9000"), "needs brackets");
  EXPECT_PRED_FORMAT2(Contains, error("[::1:9000"), "missing \"]\"");
  EXPECT_PRED_FORMAT2(Contains, error("[::1]"), "missing \":PORT\" after \"]\"");
  EXPECT_PRED_FORMAT2(Contains, error("[::1]9000"), "missing \":PORT\" after \"]\"");
  EXPECT_PRED_FORMAT2(Contains, error("[]:9000"), "not an IPv6 address");
  EXPECT_PRED_FORMAT2(Contains, error("[127.0.0.1]:9000"), "not an IPv6 address");
  EXPECT_PRED_FORMAT2(Contains, error("a b:80"), "invalid character in the host");
  EXPECT_PRED_FORMAT2(Contains, error("http://x:80"), "needs brackets");
  EXPECT_PRED_FORMAT2(Contains, error("foo"), "invalid listen address \"foo\"");
}

}  // namespace
}  // namespace upkeep
