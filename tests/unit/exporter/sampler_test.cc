// Sampler::Tick() with scripted collectors: the order of Begin() and Collect(), what each
// collector's status and duration become, and what lands in the published snapshot.

#include "exporter/sampler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/http_client.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

// Records every call into a shared log ("name.Begin", "name.Collect"); optionally fails,
// or spends time in Begin().
class ScriptedCollector : public Collector {
 public:
  ScriptedCollector(std::string name, std::vector<std::string>& log)
      : name_(std::move(name)), log_(log) {}

  std::string_view Name() const override { return name_; }
  void Begin() override {
    log_.push_back(name_ + ".Begin");
    if (begin_time_.count() > 0) std::this_thread::sleep_for(begin_time_);
  }
  Status Collect(Sample& sample) override {
    log_.push_back(name_ + ".Collect");
    if (!error_.empty()) return MakeError(error_);
    if (name_ == "load") sample.load = LoadAvg{.load1 = 1.5, .load5 = 1.0, .load15 = 0.5};
    return OkStatus();
  }

  std::string error_;
  milliseconds begin_time_{0};

 private:
  const std::string name_;
  std::vector<std::string>& log_;
};

struct Fixture {
  std::vector<std::string> log;
  ScriptedCollector* load = nullptr;
  ScriptedCollector* broken = nullptr;
  SnapshotRing ring;
  std::unique_ptr<Sampler> sampler;

  Fixture() {
    std::vector<std::unique_ptr<Collector>> collectors;
    auto first = std::make_unique<ScriptedCollector>("load", log);
    auto second = std::make_unique<ScriptedCollector>("broken", log);
    load = first.get();
    broken = second.get();
    collectors.push_back(std::move(first));
    collectors.push_back(std::move(second));
    sampler = std::make_unique<Sampler>(
        std::move(collectors),
        [] {
          QueueSample queue;
          queue.probe_success = true;
          queue.depth = 3;
          return queue;
        },
        milliseconds(1000), ring);
  }
};

TEST(SamplerTest, EveryBeginRunsBeforeTheFirstCollectEachTick) {
  Fixture f;
  f.sampler->Tick();
  f.sampler->Tick();
  EXPECT_EQ(f.log, (std::vector<std::string>{"load.Begin", "broken.Begin", "load.Collect",
                                             "broken.Collect", "load.Begin", "broken.Begin",
                                             "load.Collect", "broken.Collect"}));
}

// The time a collector spends in Begin() is charged to it, not to the collectors around it.
// Bounds only from below (a sleep never ends early) or against each other: the other
// collector does nothing, so it cannot take the 200 ms one spends sleeping.
TEST(SamplerTest, ACollectorsDurationIncludesItsBegin) {
  Fixture f;
  f.broken->begin_time_ = milliseconds(200);
  f.sampler->Tick();
  const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->sample.collectors.size(), 2u);
  const CollectorStatus& load = snapshot->sample.collectors[0];
  const CollectorStatus& broken = snapshot->sample.collectors[1];
  EXPECT_EQ(broken.name, "broken");
  EXPECT_GE(broken.duration_seconds, 0.200);
  EXPECT_LT(load.duration_seconds, broken.duration_seconds);
}

TEST(SamplerTest, AFailingCollectorIsReportedAndTheOthersStillPublish) {
  Fixture f;
  f.broken->error_ = "cannot read /proc/broken";
  f.sampler->Tick();
  const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->sequence, 1u);
  const std::vector<CollectorStatus>& statuses = snapshot->sample.collectors;
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_TRUE(statuses[0].success);
  EXPECT_FALSE(statuses[1].success);
  EXPECT_EQ(statuses[1].error, "cannot read /proc/broken");

  const std::string& text = snapshot->metrics_text;
  EXPECT_NE(text.find("upkeep_collector_success{collector=\"broken\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("upkeep_collector_success{collector=\"load\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("upkeep_load1 1.5\n"), std::string::npos);
  EXPECT_NE(text.find("upkeep_queue_depth 3\n"), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(snapshot->health_json)["queue"]["depth"], 3);
}

TEST(SamplerTest, ExtraMetricsGoIntoBothBodiesAfterTheSample) {
  Fixture f;
  f.sampler->SetExtraMetrics(
      [](std::string& out) { out += "# TYPE extra_total counter\nextra_total 7\n"; });
  f.sampler->Tick();
  const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
  ASSERT_TRUE(snapshot);
  const std::string& text = snapshot->metrics_text;
  ASSERT_TRUE(text.ends_with("# TYPE extra_total counter\nextra_total 7\n")) << text;
  EXPECT_EQ(testing::Gunzip(snapshot->metrics_gzip), text);
  EXPECT_EQ(f.sampler->published(), 1u);
}

// The update check's series follow the sample's and precede the extra metrics; a state of
// nullopt (update not configured) gives none.
TEST(SamplerTest, UpdateStateSeriesComeBeforeTheExtraMetrics) {
  Fixture f;
  std::optional<UpdateSample> update;
  f.sampler->SetUpdateState([&update] { return update; });
  f.sampler->SetExtraMetrics(
      [](std::string& out) { out += "# TYPE extra_total counter\nextra_total 7\n"; });
  f.sampler->Tick();
  {
    const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
    ASSERT_TRUE(snapshot);
    EXPECT_EQ(snapshot->metrics_text.find("upkeep_update_"), std::string::npos);
    EXPECT_EQ(snapshot->metrics_text.find("upkeep_target_info"), std::string::npos);
  }

  update = UpdateSample{.checked = true,
                        .check_success = true,
                        .last_check_timestamp_seconds = 1717243200,
                        .check_duration_seconds = 0.5,
                        .available = true,
                        .available_since_timestamp_seconds = 1716638400,
                        .commits_behind = 2,
                        .target_version = "v1.4.2",
                        .target_revision = "abc"};
  f.sampler->Tick();
  const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
  ASSERT_TRUE(snapshot);
  const std::string& text = snapshot->metrics_text;
  const size_t queue = text.find("upkeep_queue_depth 3\n");
  const size_t available = text.find("\nupkeep_update_available 1\n");
  const size_t info = text.find("\nupkeep_target_info{version=\"v1.4.2\",revision=\"abc\"} 1\n");
  const size_t extra = text.find("extra_total 7\n");
  ASSERT_NE(available, std::string::npos) << text;
  ASSERT_NE(info, std::string::npos) << text;
  EXPECT_LT(queue, available);
  EXPECT_LT(info, extra);
  EXPECT_NE(text.find("\nupkeep_update_commits_behind 2\n"), std::string::npos);
  EXPECT_EQ(testing::Gunzip(snapshot->metrics_gzip), text);
}

// The update runs' series follow the update check's and precede the extra metrics; a state of
// nullopt (update not configured) gives none.
TEST(SamplerTest, UpdateRunSeriesFollowTheCheckSeries) {
  Fixture f;
  std::optional<UpdateRunSample> runs;
  f.sampler->SetUpdateState([] {
    UpdateSample checked;
    checked.checked = true;
    return checked;
  });
  f.sampler->SetUpdateRunState([&runs] { return runs; });
  f.sampler->SetExtraMetrics(
      [](std::string& out) { out += "# TYPE extra_total counter\nextra_total 7\n"; });
  f.sampler->Tick();
  {
    const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
    ASSERT_TRUE(snapshot);
    EXPECT_NE(snapshot->metrics_text.find("\nupkeep_update_check_success 0\n"), std::string::npos);
    EXPECT_EQ(snapshot->metrics_text.find("upkeep_update_runs_total"), std::string::npos);
    EXPECT_EQ(snapshot->metrics_text.find("upkeep_update_in_progress"), std::string::npos);
  }

  runs = UpdateRunSample{};
  runs->in_progress = true;
  runs->runs_total[0] = 4;
  f.sampler->Tick();
  const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
  ASSERT_TRUE(snapshot);
  const std::string& text = snapshot->metrics_text;
  const size_t check = text.find("\nupkeep_update_check_duration_seconds 0\n");
  const size_t in_progress = text.find("\nupkeep_update_in_progress 1\n");
  const size_t pending = text.find("\nupkeep_update_recovery_pending 0\n");
  const size_t extra = text.find("extra_total 7\n");
  ASSERT_NE(check, std::string::npos) << text;
  ASSERT_NE(in_progress, std::string::npos) << text;
  ASSERT_NE(pending, std::string::npos) << text;
  EXPECT_LT(check, in_progress);
  EXPECT_LT(pending, extra);
  EXPECT_NE(text.find("\nupkeep_update_runs_total{result=\"success\"} 4\n"), std::string::npos);
  EXPECT_EQ(testing::Gunzip(snapshot->metrics_gzip), text);
}

// Start() runs the first tick at once on the sampler's thread (an hour before the next), and
// Stop() ends the ticks.
TEST(SamplerTest, StartPublishesAtOnceAndStopEndsTheTicks) {
  SnapshotRing ring;
  Sampler sampler({}, nullptr, std::chrono::hours(1), ring);
  sampler.Start();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!ring.HasSnapshot() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  sampler.Stop();
  ASSERT_TRUE(ring.HasSnapshot());
  EXPECT_EQ(sampler.published(), 1u);
  EXPECT_EQ(ring.Acquire()->sequence, 1u);
  sampler.Stop();  // again: no effect
}

}  // namespace
}  // namespace upkeep
