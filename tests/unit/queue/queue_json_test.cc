#include "queue/queue_json.h"

#include <gtest/gtest.h>

#include <string>

namespace upkeep {
namespace {

using nlohmann::json;

std::string ErrorOf(std::string_view text) {
  const Result<QueueProbe> probe = ParseQueueJson(text);
  return probe.ok() ? "<parsed>" : probe.error();
}

TEST(QueueJsonTest, ActiveJobsArray) {
  const Result<QueueProbe> probe = ParseQueueJson(
      R"({"depth": 3, "activeJobs": [{"id": 7, "name": "shot_010", "progress": 0.25},
                                     {"id": 8, "name": "shot_020", "progress": 0}]})");
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 3);
  EXPECT_EQ(probe->active_jobs, 2);
  EXPECT_EQ(probe->active_job, json({{"id", 7}, {"name", "shot_010"}, {"progress", 0.25}}));
}

TEST(QueueJsonTest, EmptyActiveJobsIsIdle) {
  const Result<QueueProbe> probe = ParseQueueJson(R"({"depth": 0, "activeJobs": []})");
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 0);
  EXPECT_EQ(probe->active_jobs, 0);
  EXPECT_TRUE(probe->active_job.is_null());
}

TEST(QueueJsonTest, SingleActiveJobOrNull) {
  const Result<QueueProbe> busy =
      ParseQueueJson(R"({"depth": 1, "activeJob": {"id": "a1", "started": null}})");
  ASSERT_TRUE(busy.ok()) << busy.error();
  EXPECT_EQ(busy->active_jobs, 1);
  EXPECT_EQ(busy->active_job["id"], "a1");
  EXPECT_TRUE(busy->active_job["started"].is_null());

  const Result<QueueProbe> idle = ParseQueueJson(R"({"depth": 5, "activeJob": null})");
  ASSERT_TRUE(idle.ok()) << idle.error();
  EXPECT_EQ(idle->depth, 5);
  EXPECT_EQ(idle->active_jobs, 0);
  EXPECT_TRUE(idle->active_job.is_null());
}

TEST(QueueJsonTest, BothFormsMustAgree) {
  const Result<QueueProbe> both = ParseQueueJson(
      R"({"depth": 0, "activeJobs": [{"id": 1}, {"id": 2}], "activeJob": {"id": 1}})");
  ASSERT_TRUE(both.ok()) << both.error();
  EXPECT_EQ(both->active_jobs, 2);
  EXPECT_EQ(both->active_job["id"], 1);
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJobs": [], "activeJob": {"id": 1}})"),
            "\"activeJob\" and \"activeJobs\" disagree: an active job but 0 in \"activeJobs\"");
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJobs": [{}], "activeJob": null})"),
            "\"activeJob\" and \"activeJobs\" disagree: no active job but 1 in \"activeJobs\"");
}

TEST(QueueJsonTest, ExtraKeysAndWhitespaceAreFine) {
  const Result<QueueProbe> probe =
      ParseQueueJson("\n  {\"version\": 2, \"depth\": 4, \"activeJob\": null, \"x\": [1]}\n");
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 4);
}

TEST(QueueJsonTest, NotJson) {
  const std::string error = ErrorOf("hello world");
  EXPECT_EQ(error.rfind("not JSON (parse error at line 1, column 1: syntax error", 0), 0u) << error;
  EXPECT_NE(error.find("output starts with \"hello world\""), std::string::npos) << error;
  EXPECT_EQ(ErrorOf(""), "empty output where queue JSON was expected");
  EXPECT_EQ(ErrorOf(" \n"), "empty output where queue JSON was expected");
  // Trailing garbage and truncation are not JSON either.
  EXPECT_EQ(ErrorOf(R"({"depth": 1, "activeJob": null} x)").rfind("not JSON", 0), 0u);
  EXPECT_EQ(ErrorOf(R"({"depth": 1, "activeJob": )").rfind("not JSON", 0), 0u);
  // An HTML error page: control characters are not copied into the message.
  const std::string html = ErrorOf("<html>\n<body>\x01" + std::string(100, 'x'));
  EXPECT_NE(html.find("output starts with \"<html>?<body>?xxx"), std::string::npos) << html;
  EXPECT_NE(html.find("...\""), std::string::npos) << html;
  // Invalid UTF-8 inside a string.
  EXPECT_EQ(ErrorOf("{\"depth\": 1, \"activeJob\": {\"n\": \"\xff\"}}").rfind("not JSON", 0), 0u);
}

TEST(QueueJsonTest, WrongTopLevel) {
  EXPECT_EQ(ErrorOf("[1, 2]"), "queue JSON must be an object with \"depth\", got an array");
  EXPECT_EQ(ErrorOf("3"), "queue JSON must be an object with \"depth\", got an integer");
  EXPECT_EQ(ErrorOf("null"), "queue JSON must be an object with \"depth\", got null");
}

TEST(QueueJsonTest, Depth) {
  EXPECT_EQ(ErrorOf(R"({"activeJob": null})"), "queue JSON has no \"depth\"");
  EXPECT_EQ(ErrorOf(R"({"depth": -1, "activeJob": null})"),
            "\"depth\" must not be negative, got -1");
  EXPECT_EQ(ErrorOf(R"({"depth": "3", "activeJob": null})"),
            "\"depth\" must be an integer, got a string");
  EXPECT_EQ(ErrorOf(R"({"depth": 1.5, "activeJob": null})"),
            "\"depth\" must be an integer, got a fractional number");
  EXPECT_EQ(ErrorOf(R"({"depth": 3.0, "activeJob": null})"),
            "\"depth\" must be an integer, got a fractional number");
  EXPECT_EQ(ErrorOf(R"({"depth": null, "activeJob": null})"),
            "\"depth\" must be an integer, got null");
  EXPECT_EQ(ErrorOf(R"({"depth": true, "activeJob": null})"),
            "\"depth\" must be an integer, got a boolean");
  EXPECT_EQ(ErrorOf(R"({"depth": 18446744073709551615, "activeJob": null})"),
            "\"depth\" is too large: 18446744073709551615");
  const Result<QueueProbe> max =
      ParseQueueJson(R"({"depth": 9223372036854775807, "activeJob": null})");
  ASSERT_TRUE(max.ok()) << max.error();
  EXPECT_EQ(max->depth, INT64_MAX);
}

TEST(QueueJsonTest, ActiveJobsTypes) {
  EXPECT_EQ(ErrorOf(R"({"depth": 0})"), "queue JSON has neither \"activeJobs\" nor \"activeJob\"");
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJobs": 2})"),
            "\"activeJobs\" must be an array, got an integer");
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJobs": null})"),
            "\"activeJobs\" must be an array, got null");
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJobs": [{"id": 1}, "two"]})"),
            "\"activeJobs[1]\" must be an object, got a string");
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJob": "render"})"),
            "\"activeJob\" must be an object or null, got a string");
  EXPECT_EQ(ErrorOf(R"({"depth": 0, "activeJob": []})"),
            "\"activeJob\" must be an object or null, got an array");
}

TEST(QueueJsonTest, DeepNestingAndSizeAreRefused) {
  std::string deep = R"({"depth": 0, "activeJob": {"a": )";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}}";
  EXPECT_EQ(ErrorOf(deep), "queue JSON nests deeper than 32 levels");
  // Just inside the limit is fine.
  std::string ok = R"({"depth": 0, "activeJob": {"a": )";
  for (int i = 0; i < 29; ++i) ok += "[";
  for (int i = 0; i < 29; ++i) ok += "]";
  ok += "}}";
  EXPECT_TRUE(ParseQueueJson(ok).ok()) << ErrorOf(ok);

  const std::string big =
      R"({"depth": 0, "activeJob": null, "pad": ")" + std::string(kMaxQueueJsonBytes, 'x') + "\"}";
  EXPECT_EQ(ErrorOf(big), "queue JSON is larger than 1048576 bytes");
}

}  // namespace
}  // namespace upkeep
