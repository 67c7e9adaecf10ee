// AppendUpdateMetrics: the exact series for each state of the update check, label escaping,
// the real promtool's lint, and the 7-day alert evaluated by promtool against these series.
// AppendUpdateRunMetrics: the exact series before and after a run, promtool's lint, and an
// increase() alert that fires on the very first failure.

#include "exporter/update_metrics.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

std::string Render(const UpdateSample& sample) {
  std::string out;
  AppendUpdateMetrics(sample, out);
  return out;
}

// The sample lines (not HELP or TYPE), in order.
std::vector<std::string> Samples(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    if (!line.starts_with('#')) lines.push_back(line);
  }
  return lines;
}

UpdateSample Available() {
  UpdateSample sample;
  sample.checked = true;
  sample.check_success = true;
  sample.last_check_timestamp_seconds = 1717243200.5;
  sample.check_duration_seconds = 0.25;
  sample.available = true;
  sample.available_since_timestamp_seconds = 1716638400;
  sample.commits_behind = 3;
  sample.target_version = "v1.4.2";
  sample.target_revision = "0123456789abcdef0123456789abcdef01234567";
  return sample;
}

struct CommandResult {
  int exit_status = -1;
  std::string output;
};

// Runs a shell command; its stdout and stderr together.
CommandResult RunShell(const std::string& command) {
  CommandResult result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  EXPECT_NE(pipe, nullptr);
  if (pipe == nullptr) return result;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandResult PromtoolCheckMetrics(const std::string& text) {
  testing::TempDir dir;
  const std::string path = dir.Write("metrics.txt", text);
  return RunShell("/usr/bin/promtool check metrics < " + path);
}

TEST(UpdateMetricsTest, NothingBeforeTheFirstCheck) {
  UpdateSample sample = Available();
  sample.checked = false;
  std::string out = "before\n";
  AppendUpdateMetrics(sample, out);
  EXPECT_EQ(out, "before\n");
}

TEST(UpdateMetricsTest, AnAvailableUpdateGivesEverySeries) {
  const std::string text = Render(Available());
  EXPECT_EQ(
      Samples(text),
      (std::vector<std::string>{
          "upkeep_update_available 1",
          "upkeep_update_available_since_timestamp_seconds 1716638400",
          "upkeep_update_commits_behind 3",
          "upkeep_update_check_success 1",
          "upkeep_update_last_check_timestamp_seconds 1717243200.5",
          "upkeep_update_check_duration_seconds 0.25",
          R"(upkeep_target_info{version="v1.4.2",revision="0123456789abcdef0123456789abcdef01234567"} 1)",
      }));
  // Every family has its HELP and TYPE lines.
  for (const std::string name :
       {"upkeep_update_available", "upkeep_update_available_since_timestamp_seconds",
        "upkeep_update_commits_behind", "upkeep_update_check_success",
        "upkeep_update_last_check_timestamp_seconds", "upkeep_update_check_duration_seconds",
        "upkeep_target_info"}) {
    EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find("# TYPE " + name + " gauge\n"), std::string::npos) << name;
  }
}

TEST(UpdateMetricsTest, UpToDateHasNoAvailableSince) {
  UpdateSample sample = Available();
  sample.available = false;
  sample.available_since_timestamp_seconds = 0;
  sample.commits_behind = 0;
  const std::string text = Render(sample);
  EXPECT_EQ(text.find("upkeep_update_available_since_timestamp_seconds"), std::string::npos);
  EXPECT_EQ(Samples(text)[0], "upkeep_update_available 0");
  EXPECT_EQ(Samples(text)[1], "upkeep_update_commits_behind 0");
}

TEST(UpdateMetricsTest, AFailedCheckKeepsTheLastGoodFactsBesideItsFailure) {
  UpdateSample sample = Available();
  sample.check_success = false;
  sample.check_duration_seconds = 30.001;
  const std::vector<std::string> samples = Samples(Render(sample));
  ASSERT_EQ(samples.size(), 7u);
  EXPECT_EQ(samples[0], "upkeep_update_available 1");
  EXPECT_EQ(samples[3], "upkeep_update_check_success 0");
  EXPECT_EQ(samples[5], "upkeep_update_check_duration_seconds 30.001");
}

// No check has succeeded since start: whether an update is available is not known.
TEST(UpdateMetricsTest, OnlyTheCheckSeriesUntilACheckSucceeds) {
  UpdateSample sample;
  sample.checked = true;
  sample.check_success = false;
  sample.last_check_timestamp_seconds = 1717243200;
  sample.check_duration_seconds = 0.125;
  EXPECT_EQ(Samples(Render(sample)), (std::vector<std::string>{
                                         "upkeep_update_check_success 0",
                                         "upkeep_update_last_check_timestamp_seconds 1717243200",
                                         "upkeep_update_check_duration_seconds 0.125",
                                     }));
}

TEST(UpdateMetricsTest, TargetInfoLabelValuesAreEscaped) {
  UpdateSample sample = Available();
  sample.target_version = "v1 \"beta\"\\x\nnext";
  const std::vector<std::string> samples = Samples(Render(sample));
  EXPECT_EQ(
      samples.back(),
      R"(upkeep_target_info{version="v1 \"beta\"\\x\nnext",revision="0123456789abcdef0123456789abcdef01234567"} 1)");
}

TEST(UpdateMetricsTest, PromtoolAcceptsEveryState) {
  UpdateSample failed_first;
  failed_first.checked = true;
  UpdateSample up_to_date = Available();
  up_to_date.available = false;
  up_to_date.available_since_timestamp_seconds = 0;
  UpdateSample escaped = Available();
  escaped.target_version = "v1 \"beta\"\\x\nnext";
  for (const UpdateSample& sample : {Available(), failed_first, up_to_date, escaped}) {
    const std::string text = Render(sample);
    const CommandResult check = PromtoolCheckMetrics(text);
    EXPECT_EQ(check.exit_status, 0) << check.output << "\n--- metrics ---\n" << text;
    EXPECT_EQ(check.output, "") << "\n--- metrics ---\n" << text;
  }
}

// The alert the series are shaped for, evaluated by promtool: an update left waiting more than
// 7 days fires; an up-to-date host (no since series) never does, also with the bare
// expression (no `and upkeep_update_available == 1`).
TEST(UpdateMetricsTest, TheSevenDayAlertFiresOnlyForAnUpdateWaitingAWeek) {
  testing::TempDir dir;
  dir.Write("rules.yml", R"(groups:
  - name: update
    rules:
      - alert: UpdateWaiting
        expr: time() - upkeep_update_available_since_timestamp_seconds > 7*86400 and upkeep_update_available == 1
      - alert: UpdateWaitingBare
        expr: time() - upkeep_update_available_since_timestamp_seconds > 7*86400
)");
  // Host "behind" has had an update since day 1; host "current" is up to date (as rendered:
  // available 0 and no since series).
  dir.Write("test.yml", R"(rule_files: [rules.yml]
evaluation_interval: 1d
tests:
  - interval: 1d
    input_series:
      - series: 'upkeep_update_available{instance="behind"}'
        values: '0 1x12'
      - series: 'upkeep_update_available_since_timestamp_seconds{instance="behind"}'
        values: '_ 86400x12'
      - series: 'upkeep_update_available{instance="current"}'
        values: '0x12'
    alert_rule_test:
      - eval_time: 7d
        alertname: UpdateWaiting
        exp_alerts: []
      - eval_time: 9d
        alertname: UpdateWaiting
        exp_alerts:
          - exp_labels: {instance: behind}
      - eval_time: 9d
        alertname: UpdateWaitingBare
        exp_alerts:
          - exp_labels: {instance: behind}
)");
  const CommandResult test =
      RunShell("cd " + dir.path() + " && /usr/bin/promtool test rules test.yml");
  EXPECT_EQ(test.exit_status, 0) << test.output;
}

std::string RenderRuns(const UpdateRunSample& sample) {
  std::string out;
  AppendUpdateRunMetrics(sample, out);
  return out;
}

// After three runs: two good, the last rolled back, 42.5 s long.
UpdateRunSample AfterARollback() {
  UpdateRunSample sample;
  sample.runs_total = {2, 0, 1, 0, 0, 0};
  sample.has_last = true;
  sample.last_run_timestamp_seconds = 1717243200.25;
  sample.last_duration_seconds = 42.5;
  sample.last_result = "rolled_back";
  return sample;
}

TEST(UpdateRunMetricsTest, BeforeAnyRunEveryResultIsZeroAndNoLastSeries) {
  std::string out = "before\n";
  AppendUpdateRunMetrics(UpdateRunSample{}, out);
  ASSERT_TRUE(out.starts_with("before\n"));
  EXPECT_EQ(Samples(out), (std::vector<std::string>{
                              "before",
                              "upkeep_update_in_progress 0",
                              R"(upkeep_update_runs_total{result="success"} 0)",
                              R"(upkeep_update_runs_total{result="up_to_date"} 0)",
                              R"(upkeep_update_runs_total{result="rolled_back"} 0)",
                              R"(upkeep_update_runs_total{result="rollback_failed"} 0)",
                              R"(upkeep_update_runs_total{result="refused"} 0)",
                              R"(upkeep_update_runs_total{result="interrupted"} 0)",
                              "upkeep_update_interrupted 0",
                              "upkeep_update_recovery_pending 0",
                          }));
  EXPECT_EQ(out.find("upkeep_update_last_"), std::string::npos);
}

TEST(UpdateRunMetricsTest, AFinishedRunGivesTheLastSeries) {
  const std::string text = RenderRuns(AfterARollback());
  EXPECT_EQ(Samples(text), (std::vector<std::string>{
                               "upkeep_update_in_progress 0",
                               R"(upkeep_update_runs_total{result="success"} 2)",
                               R"(upkeep_update_runs_total{result="up_to_date"} 0)",
                               R"(upkeep_update_runs_total{result="rolled_back"} 1)",
                               R"(upkeep_update_runs_total{result="rollback_failed"} 0)",
                               R"(upkeep_update_runs_total{result="refused"} 0)",
                               R"(upkeep_update_runs_total{result="interrupted"} 0)",
                               "upkeep_update_last_run_timestamp_seconds 1717243200.25",
                               "upkeep_update_last_duration_seconds 42.5",
                               R"(upkeep_update_last_result{result="success"} 0)",
                               R"(upkeep_update_last_result{result="up_to_date"} 0)",
                               R"(upkeep_update_last_result{result="rolled_back"} 1)",
                               R"(upkeep_update_last_result{result="rollback_failed"} 0)",
                               R"(upkeep_update_last_result{result="refused"} 0)",
                               R"(upkeep_update_last_result{result="interrupted"} 0)",
                               "upkeep_update_interrupted 0",
                               "upkeep_update_recovery_pending 0",
                           }));
  for (const std::string name :
       {"upkeep_update_in_progress", "upkeep_update_last_run_timestamp_seconds",
        "upkeep_update_last_duration_seconds", "upkeep_update_last_result",
        "upkeep_update_interrupted", "upkeep_update_recovery_pending"}) {
    EXPECT_NE(text.find("# HELP " + name + " "), std::string::npos) << name;
    EXPECT_NE(text.find("# TYPE " + name + " gauge\n"), std::string::npos) << name;
  }
  EXPECT_NE(text.find("# HELP upkeep_update_runs_total "), std::string::npos);
  EXPECT_NE(text.find("# TYPE upkeep_update_runs_total counter\n"), std::string::npos);
}

TEST(UpdateRunMetricsTest, AnInterruptedRunAwaitingResolveWhileAnotherRuns) {
  UpdateRunSample sample = AfterARollback();
  sample.in_progress = true;
  sample.interrupted = true;
  sample.recovery_pending = true;
  sample.last_result = "interrupted";
  sample.runs_total[5] = 1;
  const std::vector<std::string> samples = Samples(RenderRuns(sample));
  ASSERT_EQ(samples.size(), 17u);
  EXPECT_EQ(samples[0], "upkeep_update_in_progress 1");
  EXPECT_EQ(samples[6], R"(upkeep_update_runs_total{result="interrupted"} 1)");
  EXPECT_EQ(samples[11], R"(upkeep_update_last_result{result="rolled_back"} 0)");
  EXPECT_EQ(samples[14], R"(upkeep_update_last_result{result="interrupted"} 1)");
  EXPECT_EQ(samples[15], "upkeep_update_interrupted 1");
  EXPECT_EQ(samples[16], "upkeep_update_recovery_pending 1");
}

TEST(UpdateRunMetricsTest, PromtoolAcceptsEveryState) {
  UpdateRunSample busy = AfterARollback();
  busy.in_progress = true;
  busy.recovery_pending = true;
  for (const UpdateRunSample& sample : {UpdateRunSample{}, AfterARollback(), busy}) {
    const std::string text = RenderRuns(sample);
    const CommandResult check = PromtoolCheckMetrics(text);
    EXPECT_EQ(check.exit_status, 0) << check.output << "\n--- metrics ---\n" << text;
    EXPECT_EQ(check.output, "") << "\n--- metrics ---\n" << text;
  }
}

// Why every result is there from the start: increase() over a series that was 0 before the
// failure sees it; one that appears at 1 has nothing to compare with, and the alert never
// fires for the first failure.
TEST(UpdateRunMetricsTest, AnIncreaseAlertFiresOnTheFirstFailure) {
  testing::TempDir dir;
  dir.Write("rules.yml", R"(groups:
  - name: update
    rules:
      - alert: UpdateRolledBack
        expr: increase(upkeep_update_runs_total{result="rolled_back"}[10m]) > 0
)");
  // Host "zeroed" shows the series at 0 from the start (as rendered); host "born" only once
  // its first rollback happened.
  dir.Write("test.yml", R"(rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'upkeep_update_runs_total{result="rolled_back",instance="zeroed"}'
        values: '0x5 1x10'
      - series: 'upkeep_update_runs_total{result="rolled_back",instance="born"}'
        values: '_x5 1x10'
    alert_rule_test:
      - eval_time: 8m
        alertname: UpdateRolledBack
        exp_alerts:
          - exp_labels: {result: rolled_back, instance: zeroed}
)");
  const CommandResult test =
      RunShell("cd " + dir.path() + " && /usr/bin/promtool test rules test.yml");
  EXPECT_EQ(test.exit_status, 0) << test.output;
}

}  // namespace
}  // namespace upkeep
