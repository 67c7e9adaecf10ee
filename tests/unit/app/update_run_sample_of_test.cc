// UpdateRunSampleOf: the controller's run counters as the exporter's sample, and the two lists
// of result names kept the same.

#include "app/update_run_sample_of.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "controller/update_history.h"
#include "exporter/update_metrics.h"

namespace upkeep {
namespace {

// Every result the controller knows has a series of its own, and the exporter names no other.
TEST(UpdateRunSampleOfTest, TheExporterNamesEveryResultOfTheController) {
  ASSERT_EQ(AllUpdateResults().size(), kUpdateRunResultNames.size());
  for (UpdateResult result : AllUpdateResults()) {
    EXPECT_NE(std::find(kUpdateRunResultNames.begin(), kUpdateRunResultNames.end(),
                        UpdateResultName(result)),
              kUpdateRunResultNames.end())
        << UpdateResultName(result);
  }
}

TEST(UpdateRunSampleOfTest, FreshCountersGiveZerosAndNoLastRun) {
  UpdateRunCounters counters;
  for (UpdateResult result : AllUpdateResults()) counters.runs_total[result] = 0;
  const UpdateRunSample sample = UpdateRunSampleOf(counters);
  EXPECT_FALSE(sample.in_progress);
  for (uint64_t count : sample.runs_total) EXPECT_EQ(count, 0u);
  EXPECT_FALSE(sample.has_last);
  EXPECT_EQ(sample.last_result, "");
  EXPECT_FALSE(sample.interrupted);
  EXPECT_FALSE(sample.recovery_pending);
  std::string text;
  AppendUpdateRunMetrics(sample, text);
  EXPECT_EQ(text.find("upkeep_update_last_result"), std::string::npos);
}

TEST(UpdateRunSampleOfTest, EveryFieldArrivesUnderItsName) {
  UpdateRunCounters counters;
  counters.in_progress = true;
  counters.runs_total = {{UpdateResult::kSuccess, 5},    {UpdateResult::kUpToDate, 1},
                         {UpdateResult::kRolledBack, 2}, {UpdateResult::kRollbackFailed, 3},
                         {UpdateResult::kRefused, 7},    {UpdateResult::kInterrupted, 11}};
  counters.has_last = true;
  counters.last_run_timestamp_seconds = 1717243200.5;
  counters.last_duration_seconds = 12.25;
  counters.last_result = UpdateResult::kRollbackFailed;
  counters.interrupted = true;
  counters.recovery_pending = true;

  const UpdateRunSample sample = UpdateRunSampleOf(counters);
  EXPECT_TRUE(sample.in_progress);
  for (const auto& [result, count] : counters.runs_total) {
    const auto at = std::find(kUpdateRunResultNames.begin(), kUpdateRunResultNames.end(),
                              UpdateResultName(result));
    ASSERT_NE(at, kUpdateRunResultNames.end());
    EXPECT_EQ(sample.runs_total[static_cast<size_t>(at - kUpdateRunResultNames.begin())], count)
        << *at;
  }
  EXPECT_TRUE(sample.has_last);
  EXPECT_EQ(sample.last_run_timestamp_seconds, 1717243200.5);
  EXPECT_EQ(sample.last_duration_seconds, 12.25);
  EXPECT_EQ(sample.last_result, "rollback_failed");
  EXPECT_TRUE(sample.interrupted);
  EXPECT_TRUE(sample.recovery_pending);

  std::string text;
  AppendUpdateRunMetrics(sample, text);
  EXPECT_NE(text.find("\nupkeep_update_runs_total{result=\"refused\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("\nupkeep_update_last_result{result=\"rollback_failed\"} 1\n"),
            std::string::npos);
}

// A result missing from the map (the runner fills every one, but nothing relies on it) is 0.
TEST(UpdateRunSampleOfTest, AMissingResultIsZero) {
  UpdateRunCounters counters;
  counters.runs_total = {{UpdateResult::kInterrupted, 2}};
  const UpdateRunSample sample = UpdateRunSampleOf(counters);
  EXPECT_EQ(sample.runs_total, (decltype(sample.runs_total){0, 0, 0, 0, 0, 2}));
}

}  // namespace
}  // namespace upkeep
