// The whole config loader through YAML text and files: keys, values, kinds and messages.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "app/config.h"
#include "tests/unit/app/config_test_support.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

TEST(ConfigDefaultsTest, DefaultConfig) {
  const Config c = DefaultConfig();
  ExpectDefaults(c);
  EXPECT_EQ(c.config_file, "");
}

TEST(ConfigDefaultsTest, EmptyInputsGiveDefaults) {
  for (const char* yaml : {"", "\n", "# only a comment\n", "---\n", "---\n...\n", "~\n",
                           "web:\nsample:\nlog:\n", "web: {}\nsample: {}\n"}) {
    SCOPED_TRACE(yaml);
    ExpectDefaults(ParseConfigYaml(yaml, "test.yaml"));
  }
}

TEST(ConfigYamlTest, FullValidFile) {
  const Config c = ParseConfigYaml(R"(
web:
  listen_address: "[::1]:9000"
  telemetry_path: /custom/metrics
  threads: 64
  request_timeout: 5s
  keep_alive_timeout: 1m30s
sample:
  interval: 250ms
  filesystems: [/, /home, "/mnt/data"]
  procfs: /host/proc
  rootfs: /host
  stat_timeout: 2s
log:
  level: debug
  format: json
)",
                                   "test.yaml");
  EXPECT_EQ(c.web.listen_address, "[::1]:9000");
  EXPECT_EQ(c.web.telemetry_path, "/custom/metrics");
  EXPECT_EQ(c.web.threads, 64);
  EXPECT_EQ(c.web.request_timeout, milliseconds(5000));
  EXPECT_EQ(c.web.keep_alive_timeout, milliseconds(90'000));
  EXPECT_EQ(c.sample.interval, milliseconds(250));
  EXPECT_FALSE(c.sample.filesystems_auto);
  EXPECT_EQ(c.sample.filesystems, (std::vector<std::string>{"/", "/home", "/mnt/data"}));
  EXPECT_EQ(c.sample.procfs, "/host/proc");
  EXPECT_EQ(c.sample.rootfs, "/host");
  EXPECT_EQ(c.sample.stat_timeout, milliseconds(2000));
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.log.format, "json");
  EXPECT_EQ(c.config_file, "");
}

TEST(ConfigYamlTest, PartialFileKeepsOtherDefaults) {
  const Config c = ParseConfigYaml("sample:\n  interval: 10ms\n", "test.yaml");
  EXPECT_EQ(c.sample.interval, milliseconds(10));  // The minimum is allowed.
  EXPECT_EQ(c.web.listen_address, "0.0.0.0:10420");
  EXPECT_EQ(c.sample.filesystems, std::vector<std::string>{"/"});
}

TEST(ConfigYamlTest, FilesystemsAutoOrList) {
  Config c = ParseConfigYaml("sample:\n  filesystems: auto\n", "test.yaml");
  EXPECT_TRUE(c.sample.filesystems_auto);
  EXPECT_TRUE(c.sample.filesystems.empty());

  c = ParseConfigYaml("sample:\n  filesystems:\n    - /\n    - /var\n", "test.yaml");
  EXPECT_FALSE(c.sample.filesystems_auto);
  EXPECT_EQ(c.sample.filesystems, (std::vector<std::string>{"/", "/var"}));

  c = ParseConfigYaml("sample:\n  filesystems: []\n", "test.yaml");
  EXPECT_FALSE(c.sample.filesystems_auto);
  EXPECT_TRUE(c.sample.filesystems.empty());
}

TEST(ConfigYamlTest, FilesystemsErrors) {
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  filesystems: /\n"),
                      "test.yaml:2: sample.filesystems: expected a list of mount points or "
                      "\"auto\", got \"/\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  filesystems: {a: b}\n"),
                      "sample.filesystems: expected a list of mount points or \"auto\", got a "
                      "map");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  filesystems:\n    - /\n    - home\n"),
                      "test.yaml:4: sample.filesystems[1]: a mount point must be an absolute "
                      "path, got \"home\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  filesystems: [/, /]\n"),
                      "sample.filesystems[1]: duplicate mount point \"/\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  filesystems: [[/]]\n"),
                      "sample.filesystems[0]: expected a mount point, got a list");
}

TEST(ConfigYamlTest, UnknownKeysNameTheFullPathFileAndLine) {
  EXPECT_EQ(YamlError("sample:\n  interval: 1s\n  intervall: 2s\n"),
            "test.yaml:3: unknown key \"sample.intervall\" (did you mean \"interval\"?)");
  EXPECT_EQ(YamlError("webb:\n  threads: 2\n"),
            "test.yaml:1: unknown key \"webb\" (did you mean \"web\"?)");
  EXPECT_EQ(YamlError("log:\n  colour: true\n"), "test.yaml:2: unknown key \"log.colour\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("metrics: {}\n"), "unknown key \"metrics\"");
}

TEST(ConfigYamlTest, DuplicateKeys) {
  EXPECT_PRED_FORMAT2(Contains, YamlError("log:\n  level: info\n  level: debug\n"),
                      "test.yaml:3: duplicate key \"log.level\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log: {}\nlog: {}\n"),
                      "test.yaml:2: duplicate key \"log\"");
}

TEST(ConfigYamlTest, WrongTypes) {
  EXPECT_PRED_FORMAT2(Contains, YamlError("- web\n"),
                      "test.yaml:1: expected a map of settings at the top level, got a list");
  EXPECT_PRED_FORMAT2(Contains, YamlError("just text\n"), "at the top level, got a single value");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web: 8080\n"),
                      "test.yaml:1: web: expected a map of settings, got a single value");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log: [info]\n"),
                      "log: expected a map of settings, got a list");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  listen_address:\n    host: x\n"),
                      "test.yaml:3: web.listen_address: expected a single value, got a map");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  telemetry_path: [/a, /b]\n"),
                      "web.telemetry_path: expected a single value, got a list");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log:\n  level:\n"),
                      "test.yaml:2: log.level: expected a single value, got nothing");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log:\n  level:\nweb: {}\n"),
                      "test.yaml:2: log.level: expected a single value, got nothing");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  filesystems:\n\n"),
                      "test.yaml:2: sample.filesystems: expected a list of mount points");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  procfs: ~\n"),
                      "sample.procfs: expected a single value, got nothing");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  procfs: \"\"\n"),
                      "sample.procfs: must not be empty");
  EXPECT_PRED_FORMAT2(Contains, YamlError("? [a, b]\n: c\n"),
                      "test.yaml:1: keys must be plain names");
}

TEST(ConfigYamlTest, Threads) {
  EXPECT_EQ(ParseConfigYaml("web:\n  threads: 1\n", "t").web.threads, 1);
  EXPECT_EQ(ParseConfigYaml("web:\n  threads: 4096\n", "t").web.threads, 4096);
  for (const char* bad : {"0", "4097", "-1", "1.5", "abc", "0x10", "+4", "99999999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_PRED_FORMAT2(Contains, YamlError(std::string("web:\n  threads: ") + bad + "\n"),
                        (std::string("test.yaml:2: web.threads: must be an integer from 1 to "
                                     "4096 (leave it out for the default), got \"") +
                         bad + "\""));
  }
}

TEST(ConfigYamlTest, BadDurationsNameKeyAndValue) {
  EXPECT_EQ(YamlError("sample:\n  interval: 10x\n"),
            "test.yaml:2: sample.interval: invalid duration \"10x\": unknown unit \"x\" (one of "
            "ms, s, m, h, d, w, y)");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  interval: 10\n"),
                      "sample.interval: invalid duration \"10\": missing unit");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  interval: 5ms\n"),
                      "test.yaml:2: sample.interval: must be at least 10ms, got \"5ms\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  interval: 0s\n"),
                      "sample.interval: must be at least 10ms, got \"0s\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  stat_timeout: 0s\n"),
                      "sample.stat_timeout: must be at least 1ms, got \"0s\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("sample:\n  stat_timeout: -1s\n"),
                      "sample.stat_timeout: invalid duration \"-1s\": must not be negative");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  request_timeout: 0\n"),
                      "web.request_timeout: must be at least 1ms, got \"0\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  keep_alive_timeout: 2d\n"),
                      "web.keep_alive_timeout: must be at most 1d, got \"2d\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  request_timeout: {}\n"),
                      "web.request_timeout: expected a single value, got a map");
}

TEST(ConfigYamlTest, LogLevelAndFormat) {
  for (const char* level : {"debug", "info", "warn", "error"}) {
    EXPECT_EQ(ParseConfigYaml(std::string("log:\n  level: ") + level, "t").log.level, level);
  }
  EXPECT_EQ(YamlError("log:\n  level: verbose\n"),
            "test.yaml:2: log.level: must be one of debug, info, warn, error, got \"verbose\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log:\n  level: INFO\n"), "got \"INFO\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log:\n  level: warning\n"), "got \"warning\"");
  EXPECT_EQ(YamlError("log:\n  format: xml\n"),
            "test.yaml:2: log.format: must be one of text, json, got \"xml\"");
}

TEST(ConfigYamlTest, ListenAddress) {
  for (const char* good :
       {"0.0.0.0:10420", "127.0.0.1:0", "[::1]:9000", ":10420", "[::]:65535", "localhost:8080"}) {
    EXPECT_EQ(ParseConfigYaml(std::string("web:\n  listen_address: \"") + good + "\"\n", "t")
                  .web.listen_address,
              good);
  }
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  listen_address: 10420\n"),
                      "test.yaml:2: web.listen_address: invalid listen address \"10420\": "
                      "missing \":PORT\"");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  listen_address: \"0.0.0.0:65536\"\n"),
                      "web.listen_address: invalid listen address \"0.0.0.0:65536\": port must "
                      "be a number from 0 to 65535");
}

TEST(ConfigYamlTest, TelemetryPath) {
  EXPECT_EQ(ParseConfigYaml("web:\n  telemetry_path: /m\n", "t").web.telemetry_path, "/m");
  EXPECT_EQ(ParseConfigYaml("web:\n  telemetry_path: /apis\n", "t").web.telemetry_path, "/apis");
  EXPECT_EQ(YamlError("web:\n  telemetry_path: metrics\n"),
            "test.yaml:2: web.telemetry_path: must start with \"/\", got \"metrics\"");
  for (const char* reserved : {"/", "/-/healthy", "/-/ready", "/api", "/api/system/health"}) {
    SCOPED_TRACE(reserved);
    EXPECT_PRED_FORMAT2(Contains,
                        YamlError(std::string("web:\n  telemetry_path: \"") + reserved + "\"\n"),
                        (std::string("web.telemetry_path: \"") + reserved + "\" is reserved"));
  }
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  telemetry_path: \"/a b\"\n"),
                      "web.telemetry_path: must not contain spaces");
  EXPECT_PRED_FORMAT2(Contains, YamlError("web:\n  telemetry_path: \"/m?x=1\"\n"),
                      "web.telemetry_path: must not contain");
}

TEST(ConfigYamlTest, SyntaxErrorNamesFileAndLine) {
  const std::string error = YamlError("web:\n  threads: 4\n  listen_address: [unclosed\n");
  EXPECT_PRED_FORMAT2(Contains, error, "test.yaml:4:");
  EXPECT_PRED_FORMAT2(Contains, error, "YAML syntax error");
  EXPECT_PRED_FORMAT2(Contains, YamlError("log:\n  level: info\n format: json\n"), "test.yaml:3:");
  EXPECT_PRED_FORMAT2(Contains, YamlError("a: b: c\n"), "test.yaml:1:");
}

TEST(ConfigYamlTest, MoreThanOneDocument) {
  EXPECT_PRED_FORMAT2(Contains, YamlError("log: {}\n---\nweb: {}\n"),
                      "test.yaml:3: expected one YAML document, found 2");
}
TEST(ConfigFileTest, LoadsATempFile) {
  const TempFile file("web:\n  listen_address: \"127.0.0.1:0\"\nlog:\n  format: json\n");
  const Config c = LoadConfigFile(file.path());
  EXPECT_EQ(c.web.listen_address, "127.0.0.1:0");
  EXPECT_EQ(c.log.format, "json");
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.config_file, file.path());
}

TEST(ConfigFileTest, EmptyFileIsTheDefaults) {
  const TempFile file("");
  ExpectDefaults(LoadConfigFile(file.path()));
}

TEST(ConfigFileTest, ErrorsNameThePath) {
  const TempFile file("sample:\n  intervall: 1s\n");
  EXPECT_EQ(ErrorOf([&] { LoadConfigFile(file.path()); }),
            file.path() + ":2: unknown key \"sample.intervall\" (did you mean \"interval\"?)");
}

TEST(ConfigFileTest, MissingFileNamesPathAndReason) {
  const TempFile file("");
  const std::string missing = file.dir() + "/nope.yaml";
  EXPECT_EQ(ErrorOf([&] { LoadConfigFile(missing); }),
            "cannot read config file " + missing + ": No such file or directory");
  EXPECT_EQ(ErrorOf([&] { LoadConfigFile(file.dir()); }),
            "cannot read config file " + file.dir() + ": Is a directory");
}

TEST(ConfigFileTest, ExampleFileParses) {
  const std::string path = UPKEEP_FIXTURES_DIR "/../../config/upkeep.example.yaml";
  const Config c = LoadConfigFile(path);
  EXPECT_EQ(c.web.listen_address, "127.0.0.1:10420");
  EXPECT_EQ(c.log.level, "info");
  // Everything else in the example is the default, as its comments say.
  Config expected = DefaultConfig();
  EXPECT_EQ(c.web.telemetry_path, expected.web.telemetry_path);
  EXPECT_EQ(c.web.threads, expected.web.threads);
  EXPECT_EQ(c.web.request_timeout, expected.web.request_timeout);
  EXPECT_EQ(c.web.keep_alive_timeout, expected.web.keep_alive_timeout);
  EXPECT_EQ(c.sample.interval, expected.sample.interval);
  EXPECT_EQ(c.sample.filesystems_auto, expected.sample.filesystems_auto);
  EXPECT_EQ(c.sample.filesystems, expected.sample.filesystems);
  EXPECT_EQ(c.sample.procfs, expected.sample.procfs);
  EXPECT_EQ(c.sample.rootfs, expected.sample.rootfs);
  EXPECT_EQ(c.sample.stat_timeout, expected.sample.stat_timeout);
  EXPECT_EQ(c.log.format, expected.log.format);
}

}  // namespace
}  // namespace upkeep
