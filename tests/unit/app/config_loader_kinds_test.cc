// The loader's list-of-maps and string-map kinds (common/settings.h) on a made-up section, so
// that they are tested apart from any module's rules.

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/config_loader.h"
#include "common/settings.h"
#include "tests/unit/app/config_test_support.h"

namespace upkeep {
namespace {

struct Stage {
  std::string name{};
  std::string run{};
  std::vector<std::string> tags{};
  std::string level = "low";
};

struct Pipeline {
  std::vector<Stage> stages{Stage{.name = "default", .run = "true"}};
  std::map<std::string, std::string> vars;
};

Stage& LastStage(Pipeline& p) { return p.stages.back(); }

constexpr Setting<Pipeline> kPipeline[] = {
    {.key = "pipe.stages",
     .kind = SettingKind::kMapList,
     .clear = [](Pipeline& p) { p.stages.clear(); },
     .expected = "a list of stages",
     .item = "a stage",
     .append = [](Pipeline& p) { p.stages.emplace_back(); }},
    {.key = "pipe.stages[].name",
     .set = [](Pipeline& p, std::string_view v) { return SetNonEmpty(LastStage(p).name, v); }},
    {.key = "pipe.stages[].run",
     .set = [](Pipeline& p, std::string_view v) { return SetText(LastStage(p).run, v); }},
    {.key = "pipe.stages[].tags",
     .kind = SettingKind::kList,
     .clear = [](Pipeline& p) { LastStage(p).tags.clear(); },
     .add = [](Pipeline& p, std::string_view v) -> Problem {
       LastStage(p).tags.emplace_back(v);
       return std::nullopt;
     },
     .expected = "a list of tags",
     .item = "a tag"},
    {.key = "pipe.stages[].opts.level",
     .set =
         [](Pipeline& p, std::string_view v) {
           return SetOneOf(LastStage(p).level, v, {"low", "high"});
         }},
    {.key = "pipe.vars",
     .kind = SettingKind::kStringMap,
     .clear = [](Pipeline& p) { p.vars.clear(); },
     .expected = "a map of NAME: value",
     .item = "a single value",
     .null_is_empty = true,
     .put = [](Pipeline& p, std::string_view name, std::string_view value) -> Problem {
       for (const char ch : name) {
         if (ch < 'A' || ch > 'Z') return "must be upper case";
       }
       p.vars.emplace(name, value);
       return std::nullopt;
     }},
};

std::optional<KeyedProblem> ValidatePipeline(const Pipeline& p, const GivenKeys& given) {
  for (size_t i = 0; i < p.stages.size(); ++i) {
    const std::string key = "pipe.stages[" + std::to_string(i) + "]";
    if (p.stages[i].run.empty()) return KeyedProblem{key, key + ".run: required"};
    if (given.contains(key + ".tags") && p.stages[i].tags.empty()) {
      return KeyedProblem{key + ".tags", key + ".tags: must not be empty"};
    }
  }
  return std::nullopt;
}

Pipeline ReadPipeline(const std::string& yaml) {
  Pipeline pipeline;
  ReadConfigYaml(yaml, "test.yaml",
                 {Bind(SettingsTable<Pipeline>{kPipeline, ValidatePipeline}, pipeline)});
  return pipeline;
}

std::string PipelineError(const std::string& yaml) {
  return ErrorOf([&] { ReadPipeline(yaml); });
}

TEST(ConfigLoaderKindsTest, ListOfMapsReadsEachItemAsAMap) {
  const Pipeline p = ReadPipeline(R"(
pipe:
  stages:
    - name: build
      run: make
      tags: [fast, local]
    - { name: test, run: "make check", opts: { level: high } }
    - name: ship
      run: ./ship
      opts:
        level: low
  vars: { A: "1", B: two }
)");
  ASSERT_EQ(p.stages.size(), 3u);  // the default stage is replaced, not kept
  EXPECT_EQ(p.stages[0].name, "build");
  EXPECT_EQ(p.stages[0].run, "make");
  EXPECT_EQ(p.stages[0].tags, (std::vector<std::string>{"fast", "local"}));
  EXPECT_EQ(p.stages[0].level, "low");
  EXPECT_EQ(p.stages[1].name, "test");
  EXPECT_EQ(p.stages[1].run, "make check");
  EXPECT_EQ(p.stages[1].level, "high");
  EXPECT_EQ(p.stages[2].name, "ship");
  EXPECT_TRUE(p.stages[2].tags.empty());
  EXPECT_EQ(p.vars, (std::map<std::string, std::string>{{"A", "1"}, {"B", "two"}}));

  EXPECT_TRUE(ReadPipeline("pipe:\n  stages: []\n").stages.empty());
  EXPECT_EQ(ReadPipeline("pipe:\n  vars: {}\n").stages.size(), 1u);  // untouched default
  EXPECT_TRUE(ReadPipeline("pipe:\n  vars:\n").vars.empty());        // null_is_empty
}

TEST(ConfigLoaderKindsTest, ListOfMapsErrorsNameTheItemAndItsLine) {
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - name: a\n      rnu: x\n"),
            "test.yaml:4: unknown key \"pipe.stages[0].rnu\" (did you mean \"run\"?)");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - {name: a, run: x}\n    - {name: b}\n"),
            "test.yaml:4: pipe.stages[1].run: required");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - {name: a, run: x}\n\n    - name: b\n"
                          "      run: y\n      tags: []\n"),
            "test.yaml:7: pipe.stages[1].tags: must not be empty");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - name: \"\"\n"),
            "test.yaml:3: pipe.stages[0].name: must not be empty");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - {run: x, opts: {level: mid}}\n"),
            "test.yaml:3: pipe.stages[0].opts.level: must be one of low, high, got \"mid\"");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - run: x\n      opts: {levl: low}\n"),
            "test.yaml:4: unknown key \"pipe.stages[0].opts.levl\" (did you mean \"level\"?)");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - run: x\n      run: y\n"),
            "test.yaml:4: duplicate key \"pipe.stages[0].run\"");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - run: x\n      tags: [a, {b: c}]\n"),
            "test.yaml:4: pipe.stages[0].tags[1]: expected a tag, got a map");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - just text\n"),
            "test.yaml:3: pipe.stages[0]: expected a stage, got a single value");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n    - [a]\n"),
            "test.yaml:3: pipe.stages[0]: expected a stage, got a list");
  EXPECT_PRED_FORMAT2(Contains, PipelineError("pipe:\n  stages:\n    -\n"),
                      "pipe.stages[0]: expected a stage, got nothing");
  EXPECT_EQ(PipelineError("pipe:\n  stages: make\n"),
            "test.yaml:2: pipe.stages: expected a list of stages, got a single value");
  EXPECT_EQ(PipelineError("pipe:\n  stages: {name: a}\n"),
            "test.yaml:2: pipe.stages: expected a list of stages, got a map");
  EXPECT_EQ(PipelineError("pipe:\n  stages:\n"),
            "test.yaml:2: pipe.stages: expected a list of stages, got nothing");
  // An item's table key is no key of the file.
  EXPECT_PRED_FORMAT2(Contains, PipelineError("pipe:\n  \"stages[]\": {run: x}\n"),
                      "test.yaml:2: unknown key \"pipe.stages[]\"");
  EXPECT_PRED_FORMAT2(Contains, PipelineError("pipe:\n  stages[0]: {run: x}\n"),
                      "unknown key \"pipe.stages[0]\"");
}

TEST(ConfigLoaderKindsTest, StringMapErrorsNameTheEntry) {
  EXPECT_EQ(PipelineError("pipe:\n  vars: [A]\n"),
            "test.yaml:2: pipe.vars: expected a map of NAME: value, got a list");
  EXPECT_EQ(PipelineError("pipe:\n  vars: x\n"),
            "test.yaml:2: pipe.vars: expected a map of NAME: value, got a single value");
  EXPECT_EQ(PipelineError("pipe:\n  vars:\n    A: 1\n    lower: 2\n"),
            "test.yaml:4: pipe.vars.lower: must be upper case");
  EXPECT_EQ(PipelineError("pipe:\n  vars:\n    A: 1\n    A: 2\n"),
            "test.yaml:4: duplicate key \"pipe.vars.A\"");
  EXPECT_EQ(PipelineError("pipe:\n  vars:\n    A: [1]\n"),
            "test.yaml:3: pipe.vars.A: expected a single value, got a list");
  EXPECT_EQ(PipelineError("pipe:\n  vars:\n    A:\n    B: 1\n"),
            "test.yaml:3: pipe.vars.A: expected a single value, got nothing");
  EXPECT_EQ(PipelineError("pipe:\n  vars:\n    ? [A]\n    : 1\n"),
            "test.yaml:3: keys must be plain names in pipe.vars");
  EXPECT_EQ(PipelineError("pipe:\n  vars: {\"A\\tB\": 1}\n"),
            "test.yaml:2: pipe.vars.A?B: must be upper case");
}

}  // namespace
}  // namespace upkeep
