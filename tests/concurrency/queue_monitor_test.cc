// The queue monitor's thread against real sources (a SQLite file changed by the test, a slow
// HTTP server), and readers that must never wait for a probe. Run under ThreadSanitizer.

#include "queue/queue_monitor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "queue/http_queue_source.h"
#include "queue/sqlite_queue_source.h"
#include "tests/support/daemon_process.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/sqlite_db.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::ScriptedHttpServer;
using testing::SqliteDb;
using testing::TempDir;

template <typename Condition>
bool Eventually(Condition condition, std::chrono::milliseconds limit = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return condition();
}

QueueMonitorOptions Options(std::chrono::milliseconds interval, std::chrono::milliseconds timeout,
                            std::chrono::milliseconds stale_after) {
  QueueMonitorOptions options;
  options.interval = interval;
  options.timeout = timeout;
  options.stale_after = stale_after;
  return options;
}

class QueueMonitorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteDb db(path_);
    db.Exec("PRAGMA journal_mode=WAL;");
    db.Exec(testing::kJobsSchema);
  }

  std::unique_ptr<QueueSource> SqliteSource(std::chrono::milliseconds timeout = 1000ms) {
    SqliteQueueSourceOptions options;
    options.path = path_;
    options.timeout = timeout;
    return std::make_unique<SqliteQueueSource>(options);
  }

  void Exec(const std::string& sql) { SqliteDb(path_).Exec(sql); }

  TempDir dir_;
  std::string path_ = dir_.path() + "/queue.db";
};

TEST_F(QueueMonitorTest, StartWaitsForTheFirstProbe) {
  QueueMonitor monitor(SqliteSource(), Options(1h, 2s, 2h));
  monitor.Start();
  EXPECT_GE(monitor.probes(), 1u);
  const QueueSample sample = monitor.Latest();
  EXPECT_EQ(sample.source, "sqlite");
  EXPECT_TRUE(sample.probe_success);
  EXPECT_FALSE(sample.stale);
  EXPECT_EQ(sample.error, "");
  EXPECT_GT(sample.last_success_timestamp_seconds, 0);
  EXPECT_EQ(monitor.State().status, QueueStatus::kIdle);
}

TEST_F(QueueMonitorTest, IdleBusyIdle) {
  QueueMonitor monitor(SqliteSource(), Options(20ms, 1s, 5s));
  monitor.Start();
  EXPECT_EQ(monitor.State().status, QueueStatus::kIdle);
  Exec(
      "INSERT INTO jobs (id, name, status, started_at) VALUES (1, 'shot_010', 'rendering', 't1'),"
      " (2, 'shot_020', 'running', 't2'), (3, 'shot_030', 'queued', NULL);");
  ASSERT_TRUE(Eventually([&] { return monitor.State().status == QueueStatus::kBusy; }));
  const QueueState busy = monitor.State();
  EXPECT_EQ(busy.active_jobs, 2);
  EXPECT_EQ(busy.depth, 1);
  EXPECT_EQ(busy.active_job["name"], "shot_010");
  EXPECT_EQ(busy.reason, "");
  const QueueSample sample = monitor.Latest();
  EXPECT_EQ(sample.active_jobs, 2);
  EXPECT_EQ(sample.depth, 1);
  EXPECT_EQ(sample.active_job["id"], 1);

  Exec("UPDATE jobs SET status = 'done' WHERE status IN ('rendering', 'running');");
  ASSERT_TRUE(Eventually([&] { return monitor.State().status == QueueStatus::kIdle; }));
  EXPECT_TRUE(monitor.Latest().active_job.is_null());
  EXPECT_EQ(QueueStatusName(QueueStatus::kIdle), "idle");
  EXPECT_EQ(QueueStatusName(QueueStatus::kBusy), "busy");
  EXPECT_EQ(QueueStatusName(QueueStatus::kUnknown), "unknown");
}

// A failing source makes the state unknown at once (fail closed); the sample keeps the last good
// values until stale_after, then drops them; all comes back with the file.
TEST_F(QueueMonitorTest, SourceErrorThenStaleThenRecovery) {
  Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued'), ('b', 'queued');");
  QueueMonitor monitor(SqliteSource(), Options(20ms, 1s, 600ms));
  monitor.Start();
  ASSERT_EQ(monitor.Latest().depth, 2);
  const std::string moved = dir_.path() + "/moved.db";
  std::filesystem::rename(path_, moved);

  ASSERT_TRUE(Eventually([&] { return monitor.State().status == QueueStatus::kUnknown; }));
  EXPECT_NE(monitor.State().reason.find("No such file or directory"), std::string::npos)
      << monitor.State().reason;
  QueueSample failing = monitor.Latest();
  EXPECT_FALSE(failing.probe_success);
  EXPECT_NE(failing.error.find("cannot open the queue database"), std::string::npos);

  ASSERT_TRUE(Eventually([&] { return monitor.Latest().stale; }));
  const QueueSample stale = monitor.Latest();
  EXPECT_NE(stale.error.find("No such file or directory"), std::string::npos);
  EXPECT_EQ(monitor.State().status, QueueStatus::kUnknown);

  std::filesystem::rename(moved, path_);
  ASSERT_TRUE(Eventually([&] { return !monitor.Latest().stale; }));
  ASSERT_TRUE(Eventually([&] { return monitor.State().status == QueueStatus::kIdle; }));
  const QueueSample back = monitor.Latest();
  EXPECT_TRUE(back.probe_success);
  EXPECT_EQ(back.error, "");
  EXPECT_EQ(back.depth, 2);
}

// With a long interval the latest result is old; ProbeNow sees the change the old one missed.
TEST_F(QueueMonitorTest, ProbeNowIsFresh) {
  QueueMonitor monitor(SqliteSource(), Options(1h, 2s, 2h));
  monitor.Start();
  ASSERT_EQ(monitor.State().status, QueueStatus::kIdle);
  Exec("INSERT INTO jobs (name, status) VALUES ('new', 'rendering');");
  EXPECT_EQ(monitor.State().status, QueueStatus::kIdle);  // nothing probed since
  const QueueState fresh = monitor.ProbeNow();
  EXPECT_EQ(fresh.status, QueueStatus::kBusy) << fresh.reason;
  EXPECT_EQ(fresh.active_job["name"], "new");
  // The fresh probe is also the latest result now.
  EXPECT_EQ(monitor.State().status, QueueStatus::kBusy);
  EXPECT_EQ(monitor.probes(), 2u);
}

TEST_F(QueueMonitorTest, ProbeNowFailsClosed) {
  QueueMonitor monitor(SqliteSource(), Options(1h, 2s, 2h));
  monitor.Start();
  std::filesystem::remove(path_);
  const QueueState state = monitor.ProbeNow();
  EXPECT_EQ(state.status, QueueStatus::kUnknown);
  EXPECT_NE(state.reason.find("No such file or directory"), std::string::npos) << state.reason;

  monitor.Stop();
  EXPECT_EQ(monitor.ProbeNow().status, QueueStatus::kUnknown);
  EXPECT_EQ(monitor.ProbeNow().reason, "the queue monitor is not running");
}

// A real HTTP server that answers far too late: ProbeNow is unknown, within a bounded time.
TEST(QueueMonitorHttpTest, ProbeNowIsBoundedByTheTimeout) {
  ScriptedHttpServer server;
  server.SetReply({ScriptedHttpServer::Response(200, "OK", R"({"depth": 0, "activeJob": null})")});
  HttpQueueSourceOptions options;
  options.url_text = server.url("/q");
  options.url = ParseHttpUrl(options.url_text).value();
  options.timeout = 300ms;
  QueueMonitor monitor(std::make_unique<HttpQueueSource>(options), Options(1h, 300ms, 2h));
  monitor.Start();
  ASSERT_EQ(monitor.State().status, QueueStatus::kIdle);

  server.SetReply(
      {ScriptedHttpServer::Response(200, "OK", R"({"depth": 0, "activeJob": null})"), 30s, false});
  const auto start = std::chrono::steady_clock::now();
  const QueueState state = monitor.ProbeNow();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);  // far less than the server's 30 s
  EXPECT_EQ(state.status, QueueStatus::kUnknown);
  EXPECT_NE(state.reason.find("300 ms"), std::string::npos) << state.reason;
}

// No real source ignores its timeout (each bounds itself), so this test double stands in for a
// buggy or stuck one: its Probe() blocks until the test releases it.
class HangingQueueSourceFake : public QueueSource {
 public:
  std::string_view Type() const override { return "hanging-fake"; }
  Result<QueueProbe> Probe() override {
    std::unique_lock lock(mutex_);
    ++entered_;
    entered_cv_.notify_all();
    cv_.wait(lock, [this] { return !hang_ || released_; });
    return QueueProbe{};
  }
  void Hang() {
    std::lock_guard lock(mutex_);
    hang_ = true;
  }
  void Release() {
    {
      std::lock_guard lock(mutex_);
      released_ = true;
    }
    cv_.notify_all();
  }
  bool WaitEntered(int count) {
    std::unique_lock lock(mutex_);
    return entered_cv_.wait_for(lock, 10s, [&] { return entered_ >= count; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  std::condition_variable entered_cv_;
  bool hang_ = false;
  bool released_ = false;
  int entered_ = 0;
};

TEST(QueueMonitorHangTest, AHungSourceNeverBlocksReadersAndGoesStale) {
  auto owned = std::make_unique<HangingQueueSourceFake>();
  HangingQueueSourceFake* source = owned.get();
  QueueMonitor monitor(std::move(owned), Options(20ms, 200ms, 500ms));
  monitor.Start();
  ASSERT_EQ(monitor.State().status, QueueStatus::kIdle);
  source->Hang();
  ASSERT_TRUE(source->WaitEntered(2));  // the probe thread is now stuck inside the source

  // Readers answer while the probe is stuck (were they waiting for it, they would not answer
  // before Release()).
  auto latest = std::async(std::launch::async, [&] { return monitor.Latest(); });
  ASSERT_EQ(latest.wait_for(10s), std::future_status::ready);
  auto state = std::async(std::launch::async, [&] { return monitor.State(); });
  ASSERT_EQ(state.wait_for(10s), std::future_status::ready);

  // ProbeNow gives up, unknown, instead of waiting for the stuck probe.
  auto fresh = std::async(std::launch::async, [&] { return monitor.ProbeNow(); });
  ASSERT_EQ(fresh.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(fresh.get().status, QueueStatus::kUnknown);

  // With no probe finishing, the last good result goes stale: unknown, and the sample says why.
  ASSERT_TRUE(Eventually([&] { return monitor.Latest().stale; }));
  const QueueSample sample = monitor.Latest();
  EXPECT_EQ(sample.error, "no queue probe has finished for more than 500 ms");
  EXPECT_EQ(monitor.State().status, QueueStatus::kUnknown);
  EXPECT_EQ(monitor.State().reason, "no queue probe has finished for more than 500 ms");

  source->Release();
  ASSERT_TRUE(Eventually([&] { return monitor.State().status == QueueStatus::kIdle; }));
  monitor.Stop();
}

TEST(QueueMonitorNoneTest, NoneGoesThroughTheMonitorAndIsIdle) {
  QueueMonitor monitor(std::make_unique<NoneQueueSource>(), Options(20ms, 1s, 5s));
  monitor.Start();
  const QueueSample sample = monitor.Latest();
  EXPECT_EQ(sample.source, "none");
  EXPECT_TRUE(sample.probe_success);
  EXPECT_FALSE(sample.stale);
  EXPECT_EQ(monitor.State().status, QueueStatus::kIdle);
  EXPECT_EQ(monitor.ProbeNow().status, QueueStatus::kIdle);
}

// Many readers and ProbeNow callers while the service changes the queue: every answer is whole
// (busy with its job, or idle without one) and TSan sees no race.
TEST_F(QueueMonitorTest, ConcurrentReadersAndProbeNowCallers) {
  // Generous timeouts: under TSan on a loaded machine a probe must not fail for being slow.
  QueueMonitor monitor(SqliteSource(10s), Options(10ms, 10s, 30s));
  monitor.Start();
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::atomic<int> answers{0};
  const auto check = [&](const QueueState& s) {
    const bool whole =
        (s.status == QueueStatus::kBusy && s.active_jobs > 0 && s.active_job.is_object()) ||
        (s.status == QueueStatus::kIdle && s.active_jobs == 0 && s.active_job.is_null());
    if (!whole) bad.fetch_add(1);
    answers.fetch_add(1);
  };
  std::vector<std::thread> threads;
  // Joins the threads however the test body ends (a failed Exec throws).
  struct Joiner {
    std::atomic<bool>& stop;
    std::vector<std::thread>& threads;
    ~Joiner() {
      stop = true;
      for (std::thread& t : threads) {
        if (t.joinable()) t.join();
      }
    }
  } joiner{stop, threads};
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&] {
      while (!stop.load()) {
        check(monitor.State());
        const QueueSample sample = monitor.Latest();
        if (sample.stale || !sample.probe_success) bad.fetch_add(1);
      }
    });
  }
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&] {
      while (!stop.load()) check(monitor.ProbeNow());
    });
  }
  for (int i = 0; i < 20; ++i) {
    Exec("INSERT INTO jobs (name, status) VALUES ('j', 'rendering');");
    std::this_thread::sleep_for(5ms);
    Exec("UPDATE jobs SET status = 'done';");
    std::this_thread::sleep_for(5ms);
  }
  stop = true;
  for (std::thread& t : threads) t.join();
  monitor.Stop();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_GT(answers.load(), 20);
}

// Probes run at the interval by themselves, and a ProbeNow in between is an extra probe, not a
// skipped one.
TEST_F(QueueMonitorTest, ProbesFollowTheIntervalAndProbeNowAddsOne) {
  QueueMonitor monitor(SqliteSource(10s), Options(20ms, 10s, 2h));
  monitor.Start();
  ASSERT_TRUE(Eventually([&] { return monitor.probes() >= 5; }));
  const uint64_t before = monitor.probes();
  EXPECT_EQ(monitor.ProbeNow().status, QueueStatus::kIdle);
  EXPECT_GT(monitor.probes(), before);
  monitor.Stop();
  const uint64_t stopped = monitor.probes();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(monitor.probes(), stopped);  // no probe after Stop() returned
}

}  // namespace
}  // namespace upkeep
