// Sampler::Tick() with scripted collectors: the order of Begin() and Collect(), what each
// collector's status and duration become, and what lands in the published snapshot.

#include "exporter/sampler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
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

TEST(SamplerTest, ACollectorsDurationIncludesItsBegin) {
  Fixture f;
  f.broken->begin_time_ = milliseconds(30);
  f.sampler->Tick();
  const SnapshotRing::ReadGuard snapshot = f.ring.Acquire();
  ASSERT_TRUE(snapshot);
  ASSERT_EQ(snapshot->sample.collectors.size(), 2u);
  EXPECT_EQ(snapshot->sample.collectors[1].name, "broken");
  EXPECT_GE(snapshot->sample.collectors[1].duration_seconds, 0.030);
  EXPECT_LT(snapshot->sample.collectors[0].duration_seconds, 0.030);
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

}  // namespace
}  // namespace upkeep
