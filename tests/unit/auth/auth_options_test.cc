#include "auth/auth_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

Problem Set(AuthOptions& o, std::string_view key, std::string_view value) {
  const Setting<AuthOptions>* setting = FindSetting(AuthSettings().settings, key);
  if (setting == nullptr) return "no setting " + std::string(key);
  return setting->set(o, value);
}

TEST(AuthOptionsTest, EveryDefaultTextIsTheDefault) {
  for (const Setting<AuthOptions>& s : AuthSettings().settings) {
    if (s.default_text.empty()) continue;
    SCOPED_TRACE(s.key);
    AuthOptions o;
    EXPECT_EQ(s.set(o, s.default_text), std::nullopt);
    EXPECT_EQ(o, AuthOptions{});
  }
}

TEST(AuthOptionsTest, EveryKey) {
  AuthOptions o;
  EXPECT_EQ(Set(o, "auth.tokens_file", "/etc/upkeep/tokens"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.metrics", "token"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.jwt.secret_file", "/etc/upkeep/jwt.secret"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.jwt.issuer", "farm"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.jwt.audience", ""), std::nullopt);
  EXPECT_EQ(Set(o, "auth.jwt.role_claim", "roles"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.jwt.leeway", "0s"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.max_failures", "0"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.lockout_window", "2m"), std::nullopt);
  EXPECT_EQ(Set(o, "auth.watch_interval", "100ms"), std::nullopt);
  EXPECT_EQ(o.tokens_file, "/etc/upkeep/tokens");
  EXPECT_EQ(o.metrics, "token");
  EXPECT_EQ(o.jwt.secret_file, "/etc/upkeep/jwt.secret");
  EXPECT_EQ(o.jwt.issuer, "farm");
  EXPECT_EQ(o.jwt.role_claim, "roles");
  EXPECT_EQ(o.jwt.leeway, milliseconds(0));
  EXPECT_EQ(o.max_failures, 0);
  EXPECT_EQ(o.lockout_window, milliseconds(120'000));
  EXPECT_EQ(o.watch_interval, milliseconds(100));
}

TEST(AuthOptionsTest, RefusedValues) {
  AuthOptions o;
  EXPECT_EQ(Set(o, "auth.metrics", "closed"), "must be one of open, token, got \"closed\"");
  EXPECT_EQ(Set(o, "auth.jwt.role_claim", ""), "must not be empty");
  EXPECT_EQ(Set(o, "auth.jwt.leeway", "2h"), "must be at most 1h, got \"2h\"");
  EXPECT_EQ(Set(o, "auth.max_failures", "-1"),
            "must be an integer from 0 to 1000000 (0 turns the lockout off), got \"-1\"");
  EXPECT_EQ(Set(o, "auth.lockout_window", "10ms"), "must be at least 1s, got \"10ms\"");
  EXPECT_EQ(Set(o, "auth.watch_interval", "1ms"), "must be at least 100ms, got \"1ms\"");
  EXPECT_EQ(Set(o, "auth.watch_interval", "2d"), "must be at most 1d, got \"2d\"");
  EXPECT_EQ(o, AuthOptions{});
  EXPECT_EQ(AuthSettings().validate, nullptr);
}

}  // namespace
}  // namespace upkeep
