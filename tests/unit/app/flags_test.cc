// The command line: node_exporter-style flags over the config file, and the usage text.

#include "app/flags.h"

#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <string>
#include <vector>

#include "tests/unit/app/config_test_support.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

CommandLine Parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"upkeep"};
  argv.insert(argv.end(), args);
  return ParseCommandLine(static_cast<int>(argv.size()), argv.data());
}

std::string FlagError(std::initializer_list<const char*> args) {
  return ErrorOf([&] { Parse(args); });
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
  EXPECT_EQ(flag_lines, 11u);
}

}  // namespace
}  // namespace upkeep
