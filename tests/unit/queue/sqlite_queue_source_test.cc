// The sqlite queue source against real SQLite files made here, including a second connection
// that writes while we read, in rollback-journal and WAL mode.

#include "queue/sqlite_queue_source.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "tests/support/daemon_process.h"
#include "tests/support/sqlite_db.h"

namespace upkeep {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::SqliteDb;
using testing::TempDir;

class SqliteQueueSourceTest : public ::testing::Test {
 protected:
  TempDir dir_;
  std::string path_ = dir_.path() + "/queue.db";

  void MakeJobsDb(const std::string& journal_mode = "DELETE") {
    SqliteDb db(path_);
    db.Exec("PRAGMA journal_mode=" + journal_mode + ";");
    db.Exec(testing::kJobsSchema);
  }

  // The options for path_, with the default queries unless given.
  SqliteQueueSourceOptions Options(std::string_view depth_query = kDefaultDepthQuery,
                                   std::string_view active_query = kDefaultActiveQuery,
                                   std::chrono::milliseconds timeout = 1000ms) const {
    SqliteQueueSourceOptions options;
    options.path = path_;
    options.depth_query = depth_query;
    options.active_query = active_query;
    options.timeout = timeout;
    return options;
  }

  Result<QueueProbe> Probe() { return Probe(Options()); }
  Result<QueueProbe> Probe(SqliteQueueSourceOptions options) {
    SqliteQueueSource source(std::move(options));
    return source.Probe();
  }

  std::string ErrorOf() { return ErrorOf(Options()); }
  std::string ErrorOf(SqliteQueueSourceOptions options) {
    const Result<QueueProbe> probe = Probe(std::move(options));
    return probe.ok() ? "<succeeded>" : probe.error();
  }
};

TEST_F(SqliteQueueSourceTest, EmptyQueue) {
  MakeJobsDb();
  const Result<QueueProbe> probe = Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 0);
  EXPECT_EQ(probe->active_jobs, 0);
  EXPECT_TRUE(probe->active_job.is_null());
}

TEST_F(SqliteQueueSourceTest, ThreeQueuedOneRendering) {
  MakeJobsDb();
  SqliteDb db(path_);
  db.Exec(
      "INSERT INTO jobs (name, status, progress) VALUES ('a', 'queued', 0), ('b', 'queued', 0), "
      "('c', 'queued', 0);"
      "INSERT INTO jobs (id, name, status, progress, started_at) VALUES "
      "(42, 'shot_010', 'rendering', 0.375, '2024-05-01T10:00:00Z');"
      "INSERT INTO jobs (name, status, progress) VALUES ('old', 'done', 1);");
  const Result<QueueProbe> probe = Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 3);
  EXPECT_EQ(probe->active_jobs, 1);
  // The default active_query's columns, with SQLite types mapped to JSON types.
  const json& job = probe->active_job;
  ASSERT_TRUE(job.is_object());
  EXPECT_EQ(job.size(), 5u);
  EXPECT_TRUE(job["id"].is_number_integer());
  EXPECT_EQ(job["id"], 42);
  EXPECT_EQ(job["name"], "shot_010");
  EXPECT_EQ(job["status"], "rendering");
  EXPECT_TRUE(job["progress"].is_number_float());
  EXPECT_DOUBLE_EQ(job["progress"].get<double>(), 0.375);
  EXPECT_EQ(job["started_at"], "2024-05-01T10:00:00Z");
}

TEST_F(SqliteQueueSourceTest, SeveralRunningJobsFirstByStartTime) {
  MakeJobsDb();
  SqliteDb db(path_);
  db.Exec(
      "INSERT INTO jobs (id, name, status, started_at) VALUES "
      "(1, 'late', 'running', '2024-05-01T12:00:00Z'), "
      "(2, 'early', 'rendering', '2024-05-01T09:00:00Z'), "
      "(3, 'waiting', 'queued', NULL);");
  const Result<QueueProbe> probe = Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 1);
  EXPECT_EQ(probe->active_jobs, 2);
  EXPECT_EQ(probe->active_job["name"], "early");
}

// The service holds a write transaction with uncommitted changes: we read the committed state,
// without waiting, in both journal modes.
TEST_F(SqliteQueueSourceTest, ReadsWhileAnotherConnectionHoldsAWriteTransaction) {
  for (const std::string mode : {"DELETE", "WAL"}) {
    SCOPED_TRACE(mode);
    std::filesystem::remove(path_);
    MakeJobsDb(mode);
    SqliteDb service(path_);
    service.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued');");
    service.Exec("BEGIN IMMEDIATE;");
    service.Exec("INSERT INTO jobs (name, status) VALUES ('b', 'queued'), ('c', 'queued');");
    service.Exec("UPDATE jobs SET status = 'rendering' WHERE name = 'a';");
    const Result<QueueProbe> during = Probe();
    ASSERT_TRUE(during.ok()) << during.error();
    EXPECT_EQ(during->depth, 1);
    EXPECT_EQ(during->active_jobs, 0);
    service.Exec("COMMIT;");
    const Result<QueueProbe> after = Probe();
    ASSERT_TRUE(after.ok()) << after.error();
    EXPECT_EQ(after->depth, 2);
    EXPECT_EQ(after->active_jobs, 1);
    EXPECT_EQ(after->active_job["name"], "a");
  }
}

// In WAL mode even an exclusive write transaction does not block readers.
TEST_F(SqliteQueueSourceTest, WalReadersDoNotWaitForAnExclusiveWriter) {
  MakeJobsDb("WAL");
  SqliteDb service(path_);
  service.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued');");
  service.Exec("BEGIN EXCLUSIVE;");
  service.Exec("INSERT INTO jobs (name, status) VALUES ('b', 'queued');");
  const Result<QueueProbe> probe = Probe(Options(kDefaultDepthQuery, kDefaultActiveQuery, 200ms));
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 1);
  service.Exec("ROLLBACK;");
}

// In rollback-journal mode an exclusive lock (a commit in progress) blocks readers: the probe
// waits for it up to the timeout, then fails with a clear error; it works once the lock goes.
TEST_F(SqliteQueueSourceTest, RollbackJournalExclusiveLockFailsAtTheTimeout) {
  MakeJobsDb("DELETE");
  SqliteDb service(path_);
  service.Exec("BEGIN EXCLUSIVE;");
  service.Exec("INSERT INTO jobs (name, status) VALUES ('b', 'queued');");
  const auto start = std::chrono::steady_clock::now();
  const std::string error = ErrorOf(Options(kDefaultDepthQuery, kDefaultActiveQuery, 300ms));
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(error, "sqlite " + path_ +
                       ": depth_query: the database is locked by another connection (waited the "
                       "timeout of 300 ms)");
  EXPECT_LT(took, 5s);
  service.Exec("COMMIT;");
  const Result<QueueProbe> probe = Probe(Options(kDefaultDepthQuery, kDefaultActiveQuery, 300ms));
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 1);
}

TEST_F(SqliteQueueSourceTest, MissingFileIsAClearErrorAndIsNotCreated) {
  EXPECT_EQ(ErrorOf(),
            "sqlite " + path_ + ": cannot open the queue database: No such file or directory");
  EXPECT_FALSE(std::filesystem::exists(path_));
  SqliteQueueSourceOptions directory = Options();
  directory.path = dir_.path();
  EXPECT_EQ(ErrorOf(directory),
            "sqlite " + dir_.path() + ": the queue database is not a regular file");
}

TEST_F(SqliteQueueSourceTest, NotADatabase) {
  dir_.Write("queue.db", "this is not a database, just some text that is long enough........");
  EXPECT_EQ(ErrorOf(), "sqlite " + path_ + ": depth_query: file is not a database");
}

TEST_F(SqliteQueueSourceTest, MissingTable) {
  SqliteDb db(path_);
  db.Exec("CREATE TABLE other (x INTEGER);");
  EXPECT_EQ(ErrorOf(), "sqlite " + path_ + ": depth_query: no such table: jobs");
}

TEST_F(SqliteQueueSourceTest, CustomSchemaWithCustomQueries) {
  {
    SqliteDb db(path_);
    db.Exec(
        "CREATE TABLE render_queue (job_uuid TEXT, state INTEGER, pct REAL, thumb BLOB, "
        "note TEXT, frames INTEGER);"
        "INSERT INTO render_queue VALUES ('q1', 0, 0, NULL, NULL, 10), ('q2', 0, 0, NULL, NULL, 5),"
        " ('r1', 1, 12.5, x'00ff10', NULL, 240);");
  }
  const Result<QueueProbe> probe =
      Probe(Options("SELECT count(*) FROM render_queue WHERE state = 0",
                    "SELECT job_uuid AS id, pct, thumb, note, frames FROM render_queue "
                    "WHERE state = 1;  -- one row per running job"));
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 2);
  EXPECT_EQ(probe->active_jobs, 1);
  EXPECT_EQ(
      probe->active_job,
      json({{"id", "r1"}, {"pct", 12.5}, {"thumb", "AP8Q"}, {"note", nullptr}, {"frames", 240}}));
}

TEST_F(SqliteQueueSourceTest, DepthQueryMustGiveOneInteger) {
  MakeJobsDb();
  const std::string prefix = "sqlite " + path_ + ": ";
  EXPECT_EQ(ErrorOf(Options("SELECT 'many'")),
            prefix + "depth_query returned text (\"many\") where an integer was expected");
  EXPECT_EQ(ErrorOf(Options("SELECT '3'")),
            prefix + "depth_query returned text (\"3\") where an integer was expected");
  EXPECT_EQ(ErrorOf(Options("SELECT 2.5")),
            prefix + "depth_query returned a real number (2.5) where an integer was expected");
  EXPECT_EQ(ErrorOf(Options("SELECT max(id) FROM jobs")),
            prefix + "depth_query returned NULL where an integer was expected");
  EXPECT_EQ(ErrorOf(Options("SELECT x'00'")),
            prefix + "depth_query returned a blob where an integer was expected");
  EXPECT_EQ(ErrorOf(Options("SELECT id FROM jobs")),
            prefix + "depth_query returned no rows, expected one integer");
  EXPECT_EQ(ErrorOf(Options("SELECT 1 UNION ALL SELECT 2")),
            prefix + "depth_query returned more than one row, expected one");
  EXPECT_EQ(ErrorOf(Options("SELECT 1, 2")),
            prefix + "depth_query must return one column, it returns 2");
  EXPECT_EQ(ErrorOf(Options("SELECT -4")), prefix + "depth_query returned a negative depth (-4)");
  EXPECT_EQ(ErrorOf(Options("SELEC 1")), prefix + "depth_query: near \"SELEC\": syntax error");
  EXPECT_EQ(ErrorOf(Options("  -- nothing")), prefix + "depth_query is empty");
}

TEST_F(SqliteQueueSourceTest, ActiveQueryWithNoRowsIsIdle) {
  MakeJobsDb();
  const Result<QueueProbe> probe = Probe(Options(kDefaultDepthQuery, "SELECT * FROM jobs WHERE 0"));
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->active_jobs, 0);
  EXPECT_TRUE(probe->active_job.is_null());
  EXPECT_EQ(ErrorOf(Options(kDefaultDepthQuery, "SELECT * FROM nope")),
            "sqlite " + path_ + ": active_query: no such table: nope");
}

TEST_F(SqliteQueueSourceTest, OnlyOneReadOnlyStatement) {
  MakeJobsDb();
  {
    SqliteDb db(path_);
    db.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued');");
  }
  const std::string prefix = "sqlite " + path_ + ": ";
  EXPECT_EQ(ErrorOf(Options("DELETE FROM jobs")),
            prefix + "depth_query must be a read-only statement");
  EXPECT_EQ(ErrorOf(Options("SELECT 1; DELETE FROM jobs")),
            prefix + "depth_query must be a single statement");
  EXPECT_EQ(ErrorOf(Options(kDefaultDepthQuery, "SELECT 1; SELECT 2")),
            prefix + "active_query must be a single statement");
  EXPECT_TRUE(Probe(Options("SELECT 1;  ; -- trailing comment")).ok());
  // Nothing was deleted.
  const Result<QueueProbe> probe = Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 1);
}

TEST_F(SqliteQueueSourceTest, SlowQueryIsInterruptedAtTheTimeout) {
  MakeJobsDb();
  const auto start = std::chrono::steady_clock::now();
  const std::string error =
      ErrorOf(Options("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                      "WHERE i < 4000000000) SELECT count(*) FROM n",
                      kDefaultActiveQuery, 200ms));
  EXPECT_EQ(error, "sqlite " + path_ +
                       ": depth_query: the query did not finish within the timeout of 200 ms");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

// The file is opened at each probe: a file replaced by rename is read, not the old inode.
TEST_F(SqliteQueueSourceTest, ReplacedFileIsNoticed) {
  MakeJobsDb();
  SqliteQueueSource source(Options());
  ASSERT_EQ(source.Probe()->depth, 0);
  const std::string other = dir_.path() + "/new.db";
  {
    SqliteDb db(other);
    db.Exec(testing::kJobsSchema);
    db.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued'), ('b', 'queued');");
  }
  ASSERT_EQ(std::rename(other.c_str(), path_.c_str()), 0);
  const Result<QueueProbe> probe = source.Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->depth, 2);
}

TEST_F(SqliteQueueSourceTest, TextThatIsNotUtf8IsReplaced) {
  MakeJobsDb();
  {
    SqliteDb db(path_);
    db.Exec("INSERT INTO jobs (name, status) VALUES (CAST(x'6162ff' AS TEXT), 'rendering');");
  }
  const Result<QueueProbe> probe = Probe();
  ASSERT_TRUE(probe.ok()) << probe.error();
  EXPECT_EQ(probe->active_job["name"], "ab\xEF\xBF\xBD");
  EXPECT_NO_THROW((void)probe->active_job.dump());
}

}  // namespace
}  // namespace upkeep
