#pragma once

// Real SQLite files for tests: a connection that runs SQL and can hold a transaction open,
// as the managed service does while the queue source reads.

#include <sqlite3.h>

#include <string>

namespace upkeep::testing {

class SqliteDb {
 public:
  // Opens (creating if needed) `path` read-write, with a busy timeout of 10 s. Throws
  // std::runtime_error on failure.
  explicit SqliteDb(const std::string& path);
  ~SqliteDb();
  SqliteDb(const SqliteDb&) = delete;
  SqliteDb& operator=(const SqliteDb&) = delete;

  // Runs `sql` (one or more statements); throws std::runtime_error with SQLite's message.
  void Exec(const std::string& sql);

 private:
  sqlite3* db_ = nullptr;
};

// A `jobs` table with the columns of the one `make run` creates (scripts/run.sh, which also
// has CHECK constraints, defaults and an index; QueueIntegrationTest.MakeRunFirstStart runs it).
inline constexpr const char* kJobsSchema =
    "CREATE TABLE jobs (id INTEGER PRIMARY KEY, name TEXT NOT NULL, status TEXT NOT NULL, "
    "progress REAL NOT NULL DEFAULT 0, created_at TEXT, started_at TEXT, finished_at TEXT);";

}  // namespace upkeep::testing
