#include "common/settings.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
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

TEST(SettingsCheckTest, Bool) {
  bool out = false;
  EXPECT_EQ(SetBool(out, "true"), std::nullopt);
  EXPECT_TRUE(out);
  EXPECT_EQ(SetBool(out, "false"), std::nullopt);
  EXPECT_FALSE(out);
  for (const char* bad : {"yes", "True", "1", "on", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(SetBool(out, bad), "must be true or false, got \"" + std::string(bad) + "\"");
  }
  EXPECT_FALSE(out);
}

TEST(SettingsCheckTest, TableKeyDropsIndexes) {
  EXPECT_EQ(TableKey("update.steps[12].run"), "update.steps[].run");
  EXPECT_EQ(TableKey("update.steps[0].when_changed[3]"), "update.steps[].when_changed[]");
  EXPECT_EQ(TableKey("update.steps[].run"), "update.steps[].run");
  EXPECT_EQ(TableKey("web.threads"), "web.threads");
  EXPECT_EQ(TableKey("a[x]"), "a[x]");  // not an index: left alone
  EXPECT_EQ(TableKey("a[1"), "a[1");
  EXPECT_EQ(TableKey(""), "");
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

// A list of maps and a map of chosen names, on a test struct.
struct Job {
  std::string name;
  std::vector<std::string> tags;
};

struct Plan {
  std::vector<Job> jobs;
  std::vector<std::pair<std::string, std::string>> vars;
};

constexpr Setting<Plan> kPlan[] = {
    {.key = "plan.jobs",
     .kind = SettingKind::kMapList,
     .clear = [](Plan& p) { p.jobs.clear(); },
     .expected = "a list of jobs",
     .item = "a job",
     .append = [](Plan& p) { p.jobs.emplace_back(); }},
    {.key = "plan.jobs[].name",
     .set = [](Plan& p, std::string_view v) { return SetNonEmpty(p.jobs.back().name, v); }},
    {.key = "plan.vars",
     .kind = SettingKind::kStringMap,
     .clear = [](Plan& p) { p.vars.clear(); },
     .null_is_empty = true,
     .put = [](Plan& p, std::string_view name, std::string_view value) -> Problem {
       if (name == "BAD") return "a bad name";
       p.vars.emplace_back(name, value);
       return std::nullopt;
     }},
};

TEST(SettingsTableTest, BindCarriesMapListsAndStringMaps) {
  Plan plan;
  const BoundSettings bound = Bind(SettingsTable<Plan>{kPlan, nullptr}, plan);
  const BoundSetting* jobs = bound.Find("plan.jobs");
  ASSERT_NE(jobs, nullptr);
  EXPECT_EQ(jobs->kind, SettingKind::kMapList);
  EXPECT_EQ(jobs->expected, "a list of jobs");
  EXPECT_EQ(jobs->item, "a job");
  EXPECT_FALSE(jobs->set);
  EXPECT_FALSE(jobs->put);
  jobs->append();
  ASSERT_NE(bound.Find("plan.jobs[].name"), nullptr);
  EXPECT_EQ(bound.Find("plan.jobs[].name")->set("first"), std::nullopt);
  jobs->append();
  EXPECT_EQ(bound.Find("plan.jobs[].name")->set("second"), std::nullopt);
  ASSERT_EQ(plan.jobs.size(), 2u);
  EXPECT_EQ(plan.jobs[0].name, "first");
  EXPECT_EQ(plan.jobs[1].name, "second");
  jobs->clear();
  EXPECT_TRUE(plan.jobs.empty());

  const BoundSetting* vars = bound.Find("plan.vars");
  ASSERT_NE(vars, nullptr);
  EXPECT_EQ(vars->kind, SettingKind::kStringMap);
  EXPECT_TRUE(vars->null_is_empty);
  EXPECT_FALSE(vars->append);
  EXPECT_EQ(vars->put("A", "1"), std::nullopt);
  EXPECT_EQ(vars->put("BAD", "2"), "a bad name");
  ASSERT_EQ(plan.vars.size(), 1u);
  EXPECT_EQ(plan.vars[0], (std::pair<std::string, std::string>{"A", "1"}));
}

TEST(SettingsTableTest, NoValidatorBindsToAnEmptyFunction) {
  Demo demo;
  EXPECT_FALSE(Bind(SettingsTable<Demo>{kDemo, nullptr}, demo).validate);
}

}  // namespace
}  // namespace upkeep
