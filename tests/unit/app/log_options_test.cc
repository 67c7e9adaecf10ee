// log.*: the level and format settings, applied to plain values.

#include "app/log_options.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace upkeep {
namespace {

const Setting<LogOptions>& SettingOf(std::string_view key) {
  const Setting<LogOptions>* setting = FindSetting(LogSettings().settings, key);
  EXPECT_NE(setting, nullptr) << key;
  return *setting;
}

TEST(LogOptionsTest, TheTableHoldsLevelAndFormatOnly) {
  const SettingsTable<LogOptions> table = LogSettings();
  ASSERT_EQ(table.settings.size(), 2u);
  EXPECT_EQ(table.settings[0].key, "log.level");
  EXPECT_EQ(table.settings[1].key, "log.format");
  for (const Setting<LogOptions>& s : table.settings) {
    EXPECT_EQ(s.kind, SettingKind::kScalar) << s.key;
    EXPECT_NE(s.set, nullptr) << s.key;
  }
  EXPECT_EQ(table.validate, nullptr);
}

TEST(LogOptionsTest, EveryDefaultTextIsTheDefault) {
  EXPECT_EQ(SettingOf("log.level").default_text, "info");
  EXPECT_EQ(SettingOf("log.format").default_text, "text");
  for (const Setting<LogOptions>& s : LogSettings().settings) {
    SCOPED_TRACE(s.key);
    LogOptions o;
    o.level = "error";
    o.format = "json";
    EXPECT_EQ(s.set(o, s.default_text), std::nullopt);
  }
  const LogOptions defaults;
  EXPECT_EQ(defaults.level, "info");
  EXPECT_EQ(defaults.format, "text");
}

TEST(LogOptionsTest, EveryLevelAndFormatIsTaken) {
  for (const char* level : {"debug", "info", "warn", "error"}) {
    LogOptions o;
    EXPECT_EQ(SettingOf("log.level").set(o, level), std::nullopt) << level;
    EXPECT_EQ(o.level, level);
    EXPECT_EQ(o.format, "text");
  }
  for (const char* format : {"text", "json"}) {
    LogOptions o;
    EXPECT_EQ(SettingOf("log.format").set(o, format), std::nullopt) << format;
    EXPECT_EQ(o.format, format);
    EXPECT_EQ(o.level, "info");
  }
}

TEST(LogOptionsTest, OtherValuesAreRefusedAndChangeNothing) {
  LogOptions o;
  EXPECT_EQ(SettingOf("log.level").set(o, "verbose"),
            "must be one of debug, info, warn, error, got \"verbose\"");
  // spdlog's own spellings are not ours: the config names four levels.
  EXPECT_EQ(SettingOf("log.level").set(o, "warning"),
            "must be one of debug, info, warn, error, got \"warning\"");
  EXPECT_EQ(SettingOf("log.level").set(o, "INFO"),
            "must be one of debug, info, warn, error, got \"INFO\"");
  EXPECT_EQ(SettingOf("log.level").set(o, ""), "must be one of debug, info, warn, error, got \"\"");
  EXPECT_EQ(SettingOf("log.format").set(o, "logfmt"), "must be one of text, json, got \"logfmt\"");
  EXPECT_EQ(SettingOf("log.format").set(o, "JSON"), "must be one of text, json, got \"JSON\"");
  EXPECT_EQ(o, LogOptions{});
}

TEST(LogOptionsTest, BoundSettingsFillTheOptions) {
  LogOptions o;
  const BoundSettings bound = Bind(LogSettings(), o);
  const BoundSetting* level = bound.Find("log.level");
  const BoundSetting* format = bound.Find("log.format");
  ASSERT_NE(level, nullptr);
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(bound.Find("log.colour"), nullptr);
  EXPECT_EQ(level->set("debug"), std::nullopt);
  EXPECT_EQ(format->set("json"), std::nullopt);
  EXPECT_EQ(o, (LogOptions{.level = "debug", .format = "json"}));
}

}  // namespace
}  // namespace upkeep
