#include "app/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <initializer_list>
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

// The message of the ConfigError that `fn` throws, or a marker that fails the caller's match.
template <typename Fn>
std::string ErrorOf(Fn fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no ConfigError thrown>";
}

std::string YamlError(std::string_view yaml) {
  return ErrorOf([&] { ParseConfigYaml(yaml, "test.yaml"); });
}

CommandLine Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"upkeep"};
  argv.insert(argv.end(), args);
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

std::string FlagError(std::initializer_list<const char*> args) {
  return ErrorOf([&] { Parse(args); });
}

// A file in a fresh temp directory, removed with it.
class TempFile {
 public:
  explicit TempFile(std::string_view contents) {
    std::string pattern = ::testing::TempDir() + "upkeep_config_test.XXXXXX";
    dir_ = ::mkdtemp(pattern.data());
    EXPECT_FALSE(dir_.empty());
    path_ = dir_ + "/upkeep.yaml";
    std::ofstream(path_) << contents;
  }
  ~TempFile() { std::filesystem::remove_all(dir_); }
  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::string path_;
};

void ExpectDefaults(const Config& c) {
  EXPECT_EQ(c.web.listen_address, "0.0.0.0:10420");
  EXPECT_EQ(c.web.telemetry_path, "/metrics");
  EXPECT_EQ(c.web.threads, 0);
  EXPECT_EQ(c.web.request_timeout, milliseconds(10'000));
  EXPECT_EQ(c.web.keep_alive_timeout, milliseconds(10'000));
  EXPECT_EQ(c.sample.interval, milliseconds(1000));
  EXPECT_FALSE(c.sample.filesystems_auto);
  EXPECT_EQ(c.sample.filesystems, std::vector<std::string>{"/"});
  EXPECT_EQ(c.sample.procfs, "/proc");
  EXPECT_EQ(c.sample.rootfs, "/");
  EXPECT_EQ(c.sample.stat_timeout, milliseconds(500));
  EXPECT_EQ(c.log.level, "info");
  EXPECT_EQ(c.log.format, "text");
}

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

TEST(CommandLineTest, NoFlagsIsTheDefaults) {
  const CommandLine cl = Parse({});
  ExpectDefaults(cl.config);
  EXPECT_FALSE(cl.show_help);
  EXPECT_FALSE(cl.show_version);
  EXPECT_EQ(cl.config.config_file, "");
}

TEST(CommandLineTest, EveryFlagInBothForms) {
  const CommandLine a =
      Parse({"--web.listen-address", ":9100", "--web.telemetry-path", "/m", "--path.procfs",
             "/host/proc", "--path.rootfs", "/host", "--sample.interval", "2s", "--log.level",
             "debug", "--log.format", "json"});
  const CommandLine b = Parse({"--web.listen-address=:9100", "--web.telemetry-path=/m",
                               "--path.procfs=/host/proc", "--path.rootfs=/host",
                               "--sample.interval=2s", "--log.level=debug", "--log.format=json"});
  for (const CommandLine* cl : {&a, &b}) {
    EXPECT_EQ(cl->config.web.listen_address, ":9100");
    EXPECT_EQ(cl->config.web.telemetry_path, "/m");
    EXPECT_EQ(cl->config.sample.procfs, "/host/proc");
    EXPECT_EQ(cl->config.sample.rootfs, "/host");
    EXPECT_EQ(cl->config.sample.interval, milliseconds(2000));
    EXPECT_EQ(cl->config.log.level, "debug");
    EXPECT_EQ(cl->config.log.format, "json");
  }
}

TEST(CommandLineTest, FlagsOverrideTheConfigFileWhateverTheOrder) {
  const TempFile file(
      "web:\n  listen_address: \"127.0.0.1:1\"\n  threads: 3\n"
      "log:\n  level: warn\n  format: json\n");
  for (const CommandLine& cl :
       {Parse({"--log.level", "error", "--config", file.path().c_str()}),
        Parse({"--config", file.path().c_str(), "--log.level", "error"}),
        Parse({"--log.level=error", ("--config=" + file.path()).c_str()})}) {
    EXPECT_EQ(cl.config.log.level, "error");                 // The flag wins.
    EXPECT_EQ(cl.config.log.format, "json");                 // The file's value stays.
    EXPECT_EQ(cl.config.web.listen_address, "127.0.0.1:1");  // The file's value stays.
    EXPECT_EQ(cl.config.web.threads, 3);                     // A file-only setting.
    EXPECT_EQ(cl.config.config_file, file.path());
  }
}

TEST(CommandLineTest, ValueMayStartWithADash) {
  // A lone dash is not a flag; "-1s" reaches the duration check and fails there.
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--sample.interval", "-1s"}),
                      "--sample.interval: invalid duration \"-1s\": must not be negative");
}

TEST(CommandLineTest, UnknownFlag) {
  EXPECT_EQ(FlagError({"--web.listen_address", ":1"}),
            "unknown flag --web.listen_address (did you mean \"--web.listen-address\"?) "
            "(see --help)");
  EXPECT_EQ(FlagError({"--bogus=1"}), "unknown flag --bogus (see --help)");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"-v"}), "unexpected argument \"-v\"");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"config.yaml"}), "unexpected argument \"config.yaml\"");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--"}), "unexpected argument \"--\"");
}

TEST(CommandLineTest, MissingValue) {
  EXPECT_EQ(FlagError({"--config"}), "--config: missing value");
  EXPECT_EQ(FlagError({"--config="}), "--config: missing value");
  EXPECT_EQ(FlagError({"--sample.interval", "--log.level", "info"}),
            "--sample.interval: missing value");
  EXPECT_EQ(FlagError({"--log.level"}), "--log.level: missing value");
}

TEST(CommandLineTest, BadValuesNameTheFlag) {
  EXPECT_EQ(FlagError({"--log.level", "loud"}),
            "--log.level: must be one of debug, info, warn, error, got \"loud\"");
  EXPECT_EQ(FlagError({"--log.format=xml"}),
            "--log.format: must be one of text, json, got \"xml\"");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--web.listen-address", "10420"}),
                      "--web.listen-address: invalid listen address \"10420\"");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--web.telemetry-path", "/api/x"}),
                      "--web.telemetry-path: \"/api/x\" is reserved");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--sample.interval=1ms"}),
                      "--sample.interval: must be at least 10ms, got \"1ms\"");
  EXPECT_EQ(FlagError({"--path.procfs="}), "--path.procfs: must not be empty");
  EXPECT_EQ(FlagError({"--version=1"}), "--version: takes no value");
  EXPECT_EQ(FlagError({"--log.level=info", "--log.level=debug"}),
            "--log.level: given more than once");
}

TEST(CommandLineTest, FlagAndYamlShareChecksAndMessages) {
  const std::string from_yaml = YamlError("sample:\n  interval: 10x\n");
  const std::string from_flag = FlagError({"--sample.interval=10x"});
  const std::string problem = "invalid duration \"10x\": unknown unit \"x\"";
  EXPECT_PRED_FORMAT2(Contains, from_yaml, ("sample.interval: " + problem));
  EXPECT_PRED_FORMAT2(Contains, from_flag, ("--sample.interval: " + problem));
  EXPECT_EQ(from_yaml.substr(from_yaml.find(problem)), from_flag.substr(from_flag.find(problem)));
}

TEST(CommandLineTest, ErrorsInTheConfigFileStillNameTheFile) {
  const TempFile file("log:\n  level: loud\n");
  EXPECT_EQ(FlagError({"--config", file.path().c_str()}),
            file.path() + ":2: log.level: must be one of debug, info, warn, error, got \"loud\"");
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--config", "/nonexistent/upkeep.yaml"}),
                      "cannot read config file /nonexistent/upkeep.yaml: No such file");
}

TEST(CommandLineTest, HelpAndVersionSkipTheConfigFile) {
  EXPECT_TRUE(Parse({"--help"}).show_help);
  EXPECT_TRUE(Parse({"-h"}).show_help);
  EXPECT_TRUE(Parse({"--version"}).show_version);
  const CommandLine cl = Parse({"--config", "/nonexistent/upkeep.yaml", "--version"});
  EXPECT_TRUE(cl.show_version);
  EXPECT_FALSE(cl.show_help);
  // Unknown flags are still reported, so a typo next to --help is not silently ignored.
  EXPECT_PRED_FORMAT2(Contains, FlagError({"--help", "--bogus"}), "unknown flag --bogus");
}

TEST(UsageTextTest, ListsEveryFlagWithItsDefault) {
  const std::string usage = UsageText();
  for (const char* expected :
       {"--help", "-h", "--version", "--config=FILE", "--web.listen-address=HOST:PORT",
        "(default: 0.0.0.0:10420)", "--web.telemetry-path=PATH", "(default: /metrics)",
        "--path.procfs=DIR", "(default: /proc)", "--path.rootfs=DIR", "(default: /)",
        "--sample.interval=DURATION", "(default: 1s)", "--log.level=LEVEL", "(default: info)",
        "--log.format=FORMAT", "(default: text)"}) {
    EXPECT_PRED_FORMAT2(Contains, usage, (expected));
  }
  // One line per flag.
  EXPECT_PRED_FORMAT2(Contains, usage, "--log.level=LEVEL");
  size_t flag_lines = 0;
  size_t start = 0;
  while (start < usage.size()) {
    const size_t end = usage.find('\n', start);
    const std::string line = usage.substr(start, end - start);
    if (line.find_first_not_of(' ') != std::string::npos &&
        line[line.find_first_not_of(' ')] == '-') {
      ++flag_lines;
    }
    start = end + 1;
  }
  EXPECT_EQ(flag_lines, 10u);
}

}  // namespace
}  // namespace upkeep
