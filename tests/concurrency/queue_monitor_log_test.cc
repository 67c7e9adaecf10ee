// What the queue monitor logs while a real SQLite source fails and recovers: once per error
// per outage, once for the recovery, never once per probe.

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>

#include "queue/queue_monitor.h"
#include "queue/sqlite_queue_source.h"
#include "tests/support/daemon_process.h"
#include "tests/support/sqlite_db.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using testing::SqliteDb;
using testing::TempDir;

// Captures what spdlog's default logger writes while it lives.
class LogCapture {
 public:
  LogCapture()
      : stream_(std::make_shared<std::ostringstream>()), previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>(
        "queue-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(*stream_)));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  std::string Text() const {
    spdlog::default_logger()->flush();
    return stream_->str();
  }
  size_t Count(const std::string& part) const {
    const std::string log = Text();
    size_t n = 0;
    for (size_t at = log.find(part); at != std::string::npos; at = log.find(part, at + 1)) ++n;
    return n;
  }

 private:
  std::shared_ptr<std::ostringstream> stream_;
  std::shared_ptr<spdlog::logger> previous_;
};

// The probes in these tests are stepped by ProbeNow() (the interval is an hour), so the test
// changes the database only between two probes. A probe that overlapped a rename would see a
// transient error first ("disk I/O error": the WAL stayed at the old name), which is logged
// as a distinct error of the outage: right for the daemon, a race for a test that counts.
constexpr std::chrono::milliseconds kSteppedInterval = 1h;

class QueueMonitorLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SqliteDb db(path_);
    db.Exec("PRAGMA journal_mode=WAL;");
    db.Exec(testing::kJobsSchema);
  }

  std::unique_ptr<QueueSource> Source() const {
    SqliteQueueSourceOptions options;
    options.path = path_;
    options.timeout = 10s;
    return std::make_unique<SqliteQueueSource>(options);
  }

  static QueueMonitorOptions Stepped() {
    QueueMonitorOptions options;
    options.interval = kSteppedInterval;
    options.timeout = 10s;
    options.stale_after = 2h;
    return options;
  }

  TempDir dir_;
  std::string path_ = dir_.path() + "/queue.db";
};

// Each error is logged when it appears, and recovery once; not once per probe.
TEST_F(QueueMonitorLogTest, LogsOncePerChangeOfState) {
  LogCapture log;
  {
    QueueMonitor monitor(Source(), Stepped());
    monitor.Start();
    ASSERT_EQ(monitor.probes(), 1u);
    std::filesystem::rename(path_, path_ + ".away");
    for (int i = 0; i < 10; ++i) {
      EXPECT_NE(monitor.ProbeNow().reason.find("No such file or directory"), std::string::npos);
    }
    std::filesystem::rename(path_ + ".away", path_);
    for (int i = 0; i < 5; ++i) EXPECT_EQ(monitor.ProbeNow().status, QueueStatus::kIdle);
    SqliteDb(path_).Exec("DROP TABLE jobs;");  // a different error, in a second outage
    for (int i = 0; i < 5; ++i) {
      EXPECT_NE(monitor.ProbeNow().reason.find("no such table: jobs"), std::string::npos);
    }
    EXPECT_EQ(monitor.probes(), 21u);  // the first, then one per ProbeNow: nothing overlapped
    monitor.Stop();
  }
  EXPECT_EQ(log.Count("No such file or directory"), 1u) << log.Text();
  EXPECT_EQ(log.Count("probing works again after 10 failed probe(s)"), 1u) << log.Text();
  EXPECT_EQ(log.Count("no such table: jobs"), 1u) << log.Text();
  EXPECT_EQ(log.Count("probe failed"), 2u) << log.Text();
}

// Within one outage each distinct error is logged once: a new error is news, one seen before
// in the same outage is not (a source flapping between two errors logs two lines, not one a
// probe). Recovery is one line.
TEST_F(QueueMonitorLogTest, AnOutageLogsEachDistinctErrorOnce) {
  LogCapture log;
  QueueMonitor monitor(Source(), Stepped());
  monitor.Start();
  std::filesystem::rename(path_, path_ + ".away");
  for (int round = 0; round < 3; ++round) {
    EXPECT_NE(monitor.ProbeNow().reason.find("No such file or directory"), std::string::npos);
    std::filesystem::create_directory(path_);
    EXPECT_NE(monitor.ProbeNow().reason.find("not a regular file"), std::string::npos);
    EXPECT_NE(monitor.ProbeNow().reason.find("not a regular file"), std::string::npos);
    std::filesystem::remove(path_);
  }
  std::filesystem::rename(path_ + ".away", path_);
  EXPECT_EQ(monitor.ProbeNow().status, QueueStatus::kIdle);
  monitor.Stop();
  EXPECT_EQ(log.Count("probe failed"), 2u) << log.Text();
  EXPECT_EQ(log.Count("No such file or directory"), 1u) << log.Text();
  EXPECT_EQ(log.Count("the queue database is not a regular file"), 1u) << log.Text();
  EXPECT_EQ(log.Count("probing works again after 9 failed probe(s)"), 1u) << log.Text();
}

}  // namespace
}  // namespace upkeep
