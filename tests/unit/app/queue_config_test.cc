// The queue: section of the YAML config.

#include <gtest/gtest.h>

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

TEST(QueueConfigTest, NoSectionMeansNone) {
  const Config c = ParseConfigYaml("log:\n  level: info\n", "test.yaml");
  EXPECT_EQ(c.queue.type, "none");
  EXPECT_EQ(c.queue.interval, milliseconds(2000));
  EXPECT_EQ(c.queue.timeout, milliseconds(1000));
  EXPECT_EQ(c.queue.stale_after, milliseconds(10000));
  EXPECT_EQ(c.queue.sqlite.depth_query, kDefaultDepthQuery);
  EXPECT_EQ(c.queue.sqlite.active_query, kDefaultActiveQuery);
  // An empty section (everything commented out) is no section.
  EXPECT_EQ(ParseConfigYaml("queue:\n  # type: sqlite\n", "test.yaml").queue.type, "none");
}

TEST(QueueConfigTest, TheIssueExampleParses) {
  const Config c = ParseConfigYaml(R"(
queue:
  type: sqlite            # sqlite | http | command | none
  interval: 2s            # how often to probe
  timeout: 1s             # a probe that takes longer fails
  stale_after: 10s        # older than this, the queue state is unknown
  sqlite:
    path: /var/lib/render-manager/db.sqlite
    depth_query:  "SELECT COUNT(*) FROM jobs WHERE status = 'queued'"
    active_query: "SELECT id, name, status, progress, started_at FROM jobs WHERE status IN ('rendering','running') ORDER BY started_at"
  http:    { url: "http://127.0.0.1:3000/api/queue/summary", bearer_token_file: "" }
  command: { run: "/usr/local/bin/queue-summary" }
)",
                                   "test.yaml");
  EXPECT_EQ(c.queue.type, "sqlite");
  EXPECT_EQ(c.queue.sqlite.path, "/var/lib/render-manager/db.sqlite");
  EXPECT_EQ(c.queue.sqlite.depth_query, "SELECT COUNT(*) FROM jobs WHERE status = 'queued'");
  EXPECT_EQ(c.queue.sqlite.active_query,
            "SELECT id, name, status, progress, started_at FROM jobs WHERE status IN "
            "('rendering','running') ORDER BY started_at");
  EXPECT_EQ(c.queue.http.url, "http://127.0.0.1:3000/api/queue/summary");
  EXPECT_EQ(c.queue.http.bearer_token_file, "");
  EXPECT_EQ(c.queue.command.run, "/usr/local/bin/queue-summary");
  // The issue's queries are the defaults.
  EXPECT_EQ(c.queue.sqlite.depth_query, kDefaultDepthQuery);
  EXPECT_EQ(c.queue.sqlite.active_query, kDefaultActiveQuery);
}

TEST(QueueConfigTest, EachTypeWithItsRequiredKey) {
  const Config http = ParseConfigYaml(
      "queue:\n  type: http\n  timeout: 500ms\n  http:\n    url: http://[::1]:3000/q\n"
      "    bearer_token_file: /etc/upkeep/queue.token\n",
      "test.yaml");
  EXPECT_EQ(http.queue.type, "http");
  EXPECT_EQ(http.queue.timeout, milliseconds(500));
  EXPECT_EQ(http.queue.http.bearer_token_file, "/etc/upkeep/queue.token");
  const Config command = ParseConfigYaml(
      "queue:\n  type: command\n  command:\n    run: sh -c 'summary | jq .'\n", "test.yaml");
  EXPECT_EQ(command.queue.command.run, "sh -c 'summary | jq .'");
  EXPECT_EQ(ParseConfigYaml("queue:\n  type: none\n", "test.yaml").queue.type, "none");

  EXPECT_EQ(YamlError("queue:\n  type: sqlite\n"),
            "test.yaml:2: queue.sqlite.path: required when queue.type is sqlite");
  EXPECT_EQ(YamlError("queue:\n  type: http\n"),
            "test.yaml:2: queue.http.url: required when queue.type is http");
  EXPECT_EQ(YamlError("queue:\n  type: command\n  command:\n    run: \"\"\n"),
            "test.yaml:2: queue.command.run: required when queue.type is command");
}

TEST(QueueConfigTest, TypeIsRequiredInASection) {
  EXPECT_EQ(YamlError("queue:\n  sqlite:\n    path: /x.db\n"),
            "test.yaml:1: queue.type: missing; set it to sqlite, http, command or none");
}

TEST(QueueConfigTest, BadValuesNameTheKey) {
  EXPECT_EQ(YamlError("queue:\n  type: postgres\n"),
            "test.yaml:2: queue.type: must be one of sqlite, http, command, none, got "
            "\"postgres\"");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  interval: 5ms\n"),
            "test.yaml:3: queue.interval: must be at least 10ms, got \"5ms\"");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  timeout: 0s\n"),
            "test.yaml:3: queue.timeout: must be at least 1ms, got \"0s\"");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  timeout: 30d\n"),
            "test.yaml:3: queue.timeout: must be at most 1d, got \"30d\"");
  EXPECT_NE(YamlError("queue:\n  type: none\n  stale_after: soon\n")
                .find("test.yaml:3: queue.stale_after: "),
            std::string::npos);
  EXPECT_EQ(YamlError("queue:\n  type: sqlite\n  sqlite:\n    path: /x\n    depth_query: \" \"\n"),
            "test.yaml:5: queue.sqlite.depth_query: must not be empty");
  EXPECT_EQ(YamlError("queue:\n  type: sqlite\n  sqlite:\n    path: [a, b]\n"),
            "test.yaml:4: queue.sqlite.path: expected a single value, got a list");
  EXPECT_EQ(YamlError("queue:\n  type: sqlite\n  sqlite: /x.db\n"),
            "test.yaml:3: queue.sqlite: expected a map of settings, got a single value");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  timeout:\n"),
            "test.yaml:3: queue.timeout: expected a single value, got nothing");
}

TEST(QueueConfigTest, UnknownKeysAreErrorsWithHints) {
  EXPECT_EQ(YamlError("queue:\n  type: sqlite\n  sqlite:\n    pth: /x.db\n"),
            "test.yaml:4: unknown key \"queue.sqlite.pth\" (did you mean \"path\"?)");
  EXPECT_EQ(YamlError("queue:\n  typ: sqlite\n"),
            "test.yaml:2: unknown key \"queue.typ\" (did you mean \"type\"?)");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  postgres: {}\n"),
            "test.yaml:3: unknown key \"queue.postgres\"");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  type: sqlite\n"),
            "test.yaml:3: duplicate key \"queue.type\"");
}

TEST(QueueConfigTest, HttpsWithAPrivateCa) {
  const Config c = ParseConfigYaml(
      "queue:\n  type: http\n  http:\n    url: https://queue.example.com/summary\n"
      "    ca_file: /etc/upkeep/queue-ca.pem\n",
      "test.yaml");
  EXPECT_EQ(c.queue.http.url, "https://queue.example.com/summary");
  EXPECT_EQ(c.queue.http.ca_file, "/etc/upkeep/queue-ca.pem");
  EXPECT_EQ(DefaultConfig().queue.http.ca_file, "");
  EXPECT_EQ(YamlError("queue:\n  type: http\n  http: {url: \"https://x/\", ca_file: [a]}\n"),
            "test.yaml:3: queue.http.ca_file: expected a single value, got a list");
}

TEST(QueueConfigTest, OtherSchemesAreRefusedAtLoad) {
  const std::string error = YamlError("queue:\n  type: http\n  http: {url: \"ftp://x/\"}\n");
  EXPECT_EQ(error.rfind("test.yaml:3: queue.http.url: invalid URL \"ftp://x/\": only http:// and "
                        "https:// URLs are supported",
                        0),
            0u)
      << error;
  // Even when another type is chosen: the file must not hold a URL that could never work.
  EXPECT_NE(YamlError("queue:\n  type: none\n  http: {url: \"ftp://x/\"}\n")
                .find("only http:// and https:// URLs are supported"),
            std::string::npos);
}

TEST(QueueConfigTest, CommandIsSplitAtLoad) {
  const std::string error =
      YamlError("queue:\n  type: command\n  command:\n    run: summary | jq .\n");
  EXPECT_EQ(error.rfind("test.yaml:4: queue.command.run: unquoted \"|\"", 0), 0u) << error;
  EXPECT_NE(error.find("sh -c"), std::string::npos) << error;
  EXPECT_EQ(YamlError("queue:\n  type: command\n  command: {run: \"summary 'x\"}\n"),
            "test.yaml:3: queue.command.run: unterminated ' quote, got \"summary 'x\"");
}

TEST(QueueConfigTest, StaleAfterMustCoverAnIntervalAndATimeout) {
  EXPECT_EQ(YamlError("queue:\n  type: none\n  interval: 5s\n  timeout: 1s\n  stale_after: 5s\n"),
            "test.yaml:5: queue.stale_after: must be at least queue.interval + queue.timeout "
            "(6s), got \"5s\"");
  EXPECT_EQ(YamlError("queue:\n  type: none\n  interval: 30s\n"),
            "test.yaml:3: queue.stale_after: must be at least queue.interval + queue.timeout "
            "(31s), got \"10s\"");
  const Config ok =
      ParseConfigYaml("queue:\n  type: none\n  interval: 30s\n  stale_after: 31s\n", "test.yaml");
  EXPECT_EQ(ok.queue.stale_after, milliseconds(31000));
}

TEST(QueueConfigTest, ExampleConfigReadsTheQueueThatMakeRunCreates) {
  const Config c = LoadConfigFile(UPKEEP_SOURCE_DIR "/config/upkeep.example.yaml");
  EXPECT_EQ(c.queue.type, "sqlite");
  EXPECT_EQ(c.queue.sqlite.path, "./var/queue.db");
  EXPECT_EQ(c.queue.sqlite.depth_query, kDefaultDepthQuery);
  EXPECT_EQ(c.queue.sqlite.active_query, kDefaultActiveQuery);
  const Config defaults = DefaultConfig();
  EXPECT_EQ(c.queue.interval, defaults.queue.interval);
  EXPECT_EQ(c.queue.timeout, defaults.queue.timeout);
  EXPECT_EQ(c.queue.stale_after, defaults.queue.stale_after);
}

}  // namespace
}  // namespace upkeep
