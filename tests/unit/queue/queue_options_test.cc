#include "queue/queue_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

Problem Set(QueueOptions& o, std::string_view key, std::string_view value) {
  const Setting<QueueOptions>* setting = FindSetting(QueueSettings().settings, key);
  if (setting == nullptr) return "no setting " + std::string(key);
  return setting->set(o, value);
}

std::optional<KeyedProblem> Validate(const QueueOptions& o, const GivenKeys& given) {
  return QueueSettings().validate(o, given);
}

TEST(QueueOptionsTest, EveryDefaultTextIsTheDefault) {
  for (const Setting<QueueOptions>& s : QueueSettings().settings) {
    if (s.default_text.empty()) continue;
    SCOPED_TRACE(s.key);
    QueueOptions o;
    EXPECT_EQ(s.set(o, s.default_text), std::nullopt);
    EXPECT_EQ(o, QueueOptions{});
  }
}

TEST(QueueOptionsTest, EveryKey) {
  QueueOptions o;
  EXPECT_EQ(Set(o, "queue.type", "http"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.interval", "5s"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.timeout", "500ms"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.stale_after", "1m"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.sqlite.path", "/x.db"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.sqlite.depth_query", "SELECT 1"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.sqlite.active_query", "SELECT 2"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.http.url", "https://queue.example.com/summary"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.http.bearer_token_file", "/t"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.http.ca_file", "/ca.pem"), std::nullopt);
  EXPECT_EQ(Set(o, "queue.command.run", "sh -c 'summary | jq .'"), std::nullopt);
  EXPECT_EQ(o.type, "http");
  EXPECT_EQ(o.interval, milliseconds(5000));
  EXPECT_EQ(o.timeout, milliseconds(500));
  EXPECT_EQ(o.stale_after, milliseconds(60'000));
  EXPECT_EQ(o.sqlite.path, "/x.db");
  EXPECT_EQ(o.sqlite.depth_query, "SELECT 1");
  EXPECT_EQ(o.sqlite.active_query, "SELECT 2");
  EXPECT_EQ(o.http.url, "https://queue.example.com/summary");
  EXPECT_EQ(o.http.bearer_token_file, "/t");
  EXPECT_EQ(o.http.ca_file, "/ca.pem");
  EXPECT_EQ(o.command.run, "sh -c 'summary | jq .'");
}

TEST(QueueOptionsTest, RefusedValues) {
  QueueOptions o;
  EXPECT_EQ(Set(o, "queue.type", "postgres"),
            "must be one of sqlite, http, command, none, got \"postgres\"");
  EXPECT_EQ(Set(o, "queue.interval", "5ms"), "must be at least 10ms, got \"5ms\"");
  EXPECT_EQ(Set(o, "queue.timeout", "30d"), "must be at most 1d, got \"30d\"");
  EXPECT_EQ(Set(o, "queue.sqlite.depth_query", " \n"), "must not be empty");
  EXPECT_NE(Set(o, "queue.http.url", "ftp://x/")->find("only http:// and https://"),
            std::string::npos);
  EXPECT_EQ(Set(o, "queue.command.run", "summary 'x"), "unterminated ' quote, got \"summary 'x\"");
  EXPECT_EQ(o, QueueOptions{});
  // Empty source keys are "not set"; the type decides whether one is required.
  EXPECT_EQ(Set(o, "queue.http.url", ""), std::nullopt);
  EXPECT_EQ(Set(o, "queue.command.run", ""), std::nullopt);
}

TEST(QueueOptionsTest, ASectionNeedsATypeAndItsSource) {
  QueueOptions o;
  EXPECT_EQ(Validate(o, {}), std::nullopt);  // no keys: no section
  std::optional<KeyedProblem> p = Validate(o, {"queue.sqlite", "queue.sqlite.path"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "queue");
  EXPECT_EQ(p->message, "queue.type: missing; set it to sqlite, http, command or none");

  for (const auto& [type, key] :
       {std::pair{"sqlite", "queue.sqlite.path"}, std::pair{"http", "queue.http.url"},
        std::pair{"command", "queue.command.run"}}) {
    SCOPED_TRACE(type);
    o.type = type;
    p = Validate(o, {"queue.type"});
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->key, "queue.type");
    EXPECT_EQ(p->message, std::string(key) + ": required when queue.type is " + type);
  }
  o.type = "command";
  o.command.run = "summary";
  EXPECT_EQ(Validate(o, {"queue.type"}), std::nullopt);
}

TEST(QueueOptionsTest, StaleAfterCoversAnIntervalAndATimeout) {
  QueueOptions o;
  o.interval = milliseconds(30'000);
  std::optional<KeyedProblem> p = Validate(o, {"queue.type", "queue.interval"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "queue.interval");  // the default stale_after is not in the file
  EXPECT_EQ(p->message,
            "queue.stale_after: must be at least queue.interval + queue.timeout (31s), got "
            "\"10s\"");
  p = Validate(o, {"queue.type", "queue.interval", "queue.stale_after"});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->key, "queue.stale_after");
  o.stale_after = milliseconds(31'000);
  EXPECT_EQ(Validate(o, {"queue.type"}), std::nullopt);
}

}  // namespace
}  // namespace upkeep
