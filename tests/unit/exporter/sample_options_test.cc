#include "exporter/sample_options.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

const Setting<SampleOptions>& SettingOf(std::string_view key) {
  const Setting<SampleOptions>* setting = FindSetting(SampleSettings().settings, key);
  EXPECT_NE(setting, nullptr) << key;
  return *setting;
}

TEST(SampleOptionsTest, EveryDefaultTextIsTheDefault) {
  for (const Setting<SampleOptions>& s : SampleSettings().settings) {
    if (s.kind != SettingKind::kScalar || s.default_text.empty()) continue;
    SCOPED_TRACE(s.key);
    SampleOptions o;
    EXPECT_EQ(s.set(o, s.default_text), std::nullopt);
    EXPECT_EQ(o, SampleOptions{});
  }
  EXPECT_EQ(SampleSettings().validate, nullptr);
}

TEST(SampleOptionsTest, ScalarValues) {
  SampleOptions o;
  EXPECT_EQ(SettingOf("sample.interval").set(o, "10ms"), std::nullopt);  // the minimum
  EXPECT_EQ(SettingOf("sample.procfs").set(o, "/host/proc"), std::nullopt);
  EXPECT_EQ(SettingOf("sample.rootfs").set(o, "/host"), std::nullopt);
  EXPECT_EQ(SettingOf("sample.stat_timeout").set(o, "2s"), std::nullopt);
  EXPECT_EQ(o.interval, milliseconds(10));
  EXPECT_EQ(o.procfs, "/host/proc");
  EXPECT_EQ(o.rootfs, "/host");
  EXPECT_EQ(o.stat_timeout, milliseconds(2000));

  EXPECT_EQ(SettingOf("sample.interval").set(o, "5ms"), "must be at least 10ms, got \"5ms\"");
  EXPECT_EQ(SettingOf("sample.stat_timeout").set(o, "0s"), "must be at least 1ms, got \"0s\"");
  EXPECT_EQ(SettingOf("sample.procfs").set(o, ""), "must not be empty");
  EXPECT_EQ(o.procfs, "/host/proc");
}

TEST(SampleOptionsTest, FilesystemsAreAListOrAuto) {
  const Setting<SampleOptions>& fs = SettingOf("sample.filesystems");
  EXPECT_EQ(fs.kind, SettingKind::kList);
  EXPECT_FALSE(fs.null_is_empty);
  SampleOptions o;
  EXPECT_EQ(fs.set(o, "auto"), std::nullopt);
  EXPECT_TRUE(o.filesystems_auto);
  EXPECT_TRUE(o.filesystems.empty());
  EXPECT_EQ(fs.set(o, "/"), "expected a list of mount points or \"auto\", got \"/\"");

  fs.clear(o);
  EXPECT_FALSE(o.filesystems_auto);
  EXPECT_EQ(fs.add(o, "/"), std::nullopt);
  EXPECT_EQ(fs.add(o, "/var"), std::nullopt);
  EXPECT_EQ(fs.add(o, "home"), "a mount point must be an absolute path, got \"home\"");
  EXPECT_EQ(fs.add(o, "/"), "duplicate mount point \"/\"");
  EXPECT_EQ(o.filesystems, (std::vector<std::string>{"/", "/var"}));
}

}  // namespace
}  // namespace upkeep
