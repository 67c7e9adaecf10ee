#include "common/settings.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace upkeep {
namespace {

using std::chrono::milliseconds;

TEST(SettingsCheckTest, DurationWithinBounds) {
  milliseconds out{7};
  EXPECT_EQ(SetDuration(out, "1m30s", milliseconds(1)), std::nullopt);
  EXPECT_EQ(out, milliseconds(90'000));
  EXPECT_EQ(SetDuration(out, "0", milliseconds(0), milliseconds(10)), std::nullopt);
  EXPECT_EQ(out, milliseconds(0));
  EXPECT_EQ(SetDuration(out, "5ms", milliseconds(10)), "must be at least 10ms, got \"5ms\"");
  EXPECT_EQ(SetDuration(out, "2d", milliseconds(1), milliseconds(86'400'000)),
            "must be at most 1d, got \"2d\"");
  EXPECT_EQ(
      SetDuration(out, "10", milliseconds(1))->rfind("invalid duration \"10\": missing unit", 0),
      0u);
  EXPECT_EQ(out, milliseconds(0));  // untouched by a refused value
}

TEST(SettingsCheckTest, OneOf) {
  std::string out = "a";
  EXPECT_EQ(SetOneOf(out, "json", {"text", "json"}), std::nullopt);
  EXPECT_EQ(out, "json");
  EXPECT_EQ(SetOneOf(out, "xml", {"text", "json"}), "must be one of text, json, got \"xml\"");
  EXPECT_EQ(SetOneOf(out, "JSON", {"text", "json"}), "must be one of text, json, got \"JSON\"");
  EXPECT_EQ(out, "json");
}

TEST(SettingsCheckTest, IntegerRange) {
  int out = -1;
  EXPECT_EQ(SetInteger(out, "4096", 1, 4096), std::nullopt);
  EXPECT_EQ(out, 4096);
  for (const char* bad : {"0", "4097", "-1", "+4", "1.5", "0x10", "", "99999999999999999999"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(SetInteger(out, bad, 1, 4096, " (note)"),
              "must be an integer from 1 to 4096 (note), got \"" + std::string(bad) + "\"");
  }
  EXPECT_EQ(out, 4096);
  uint64_t big = 0;
  EXPECT_EQ(SetInteger(big, "1073741824", 0, uint64_t{1} << 30), std::nullopt);
  EXPECT_EQ(big, uint64_t{1} << 30);
}

TEST(SettingsCheckTest, TextAndNonEmpty) {
  std::string out = "x";
  EXPECT_EQ(SetText(out, ""), std::nullopt);
  EXPECT_EQ(out, "");
  EXPECT_EQ(SetNonEmpty(out, ""), "must not be empty");
  EXPECT_EQ(SetNonEmpty(out, "role"), std::nullopt);
  EXPECT_EQ(out, "role");
}

TEST(SettingsCheckTest, EditDistanceAndDidYouMean) {
  EXPECT_EQ(EditDistance("", ""), 0u);
  EXPECT_EQ(EditDistance("interval", "intervall"), 1u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
  const std::vector<std::string_view> keys = {"interval", "procfs", "tokens_file"};
  EXPECT_EQ(DidYouMean("intervall", keys), " (did you mean \"interval\"?)");
  EXPECT_EQ(DidYouMean("token_file", keys), " (did you mean \"tokens_file\"?)");
  EXPECT_EQ(DidYouMean("colour", keys), "");  // nothing within two edits
}

// A table of the kinds the loader knows, on a test struct.
struct Demo {
  std::string name = "n";
  std::vector<std::string> items{"default"};
  bool wildcard = false;
};

constexpr Setting<Demo> kDemo[] = {
    {.key = "demo.name",
     .default_text = "n",
     .set = [](Demo& d, std::string_view v) { return SetNonEmpty(d.name, v); }},
    {.key = "demo.items",
     .set = [](Demo& d, std::string_view v) -> Problem {
       if (v != "*") return "expected a list or \"*\"";
       d.wildcard = true;
       return std::nullopt;
     },
     .kind = SettingKind::kList,
     .clear = [](Demo& d) { d.items.clear(); },
     .add = [](Demo& d, std::string_view v) -> Problem {
       if (v.empty()) return "must not be empty";
       d.items.emplace_back(v);
       return std::nullopt;
     },
     .expected = "a list of items",
     .item = "an item"},
};

std::optional<KeyedProblem> ValidateDemo(const Demo& d, const GivenKeys& given) {
  if (d.wildcard && given.contains("demo.name")) {
    return KeyedProblem{"demo.name", "demo.name: not with a wildcard"};
  }
  return std::nullopt;
}

TEST(SettingsTableTest, FindSetting) {
  EXPECT_EQ(FindSetting<Demo>(kDemo, "demo.name"), &kDemo[0]);
  EXPECT_EQ(FindSetting<Demo>(kDemo, "demo.nope"), nullptr);
}

TEST(SettingsTableTest, BindErasesTheTypeButFillsTheOptions) {
  Demo demo;
  const BoundSettings bound = Bind(SettingsTable<Demo>{kDemo, ValidateDemo}, demo);
  ASSERT_EQ(bound.settings.size(), 2u);
  const BoundSetting* name = bound.Find("demo.name");
  ASSERT_NE(name, nullptr);
  EXPECT_EQ(name->default_text, "n");
  EXPECT_EQ(name->kind, SettingKind::kScalar);
  EXPECT_FALSE(name->add);
  EXPECT_EQ(name->set("alice"), std::nullopt);
  EXPECT_EQ(demo.name, "alice");
  EXPECT_EQ(name->set(""), "must not be empty");

  const BoundSetting* items = bound.Find("demo.items");
  ASSERT_NE(items, nullptr);
  EXPECT_EQ(items->kind, SettingKind::kList);
  EXPECT_EQ(items->expected, "a list of items");
  EXPECT_EQ(items->item, "an item");
  items->clear();
  EXPECT_EQ(items->add("a"), std::nullopt);
  EXPECT_EQ(items->add(""), "must not be empty");
  EXPECT_EQ(demo.items, std::vector<std::string>{"a"});
  EXPECT_EQ(items->set("*"), std::nullopt);
  EXPECT_TRUE(demo.wildcard);

  EXPECT_EQ(bound.validate(GivenKeys{}), std::nullopt);
  const std::optional<KeyedProblem> problem = bound.validate(GivenKeys{"demo.name"});
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->key, "demo.name");
  EXPECT_EQ(bound.Find("demo.other"), nullptr);
}

TEST(SettingsTableTest, NoValidatorBindsToAnEmptyFunction) {
  Demo demo;
  EXPECT_FALSE(Bind(SettingsTable<Demo>{kDemo, nullptr}, demo).validate);
}

}  // namespace
}  // namespace upkeep
