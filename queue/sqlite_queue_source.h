#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "queue/queue_source.h"

namespace upkeep {

// The queries of the render manager's own schema (the defaults of queue.sqlite).
inline constexpr std::string_view kDefaultDepthQuery =
    "SELECT COUNT(*) FROM jobs WHERE status = 'queued'";
inline constexpr std::string_view kDefaultActiveQuery =
    "SELECT id, name, status, progress, started_at FROM jobs "
    "WHERE status IN ('rendering','running') ORDER BY started_at";

struct SqliteQueueSourceOptions {
  std::string path;
  std::string depth_query = std::string(kDefaultDepthQuery);
  std::string active_query = std::string(kDefaultActiveQuery);
  std::chrono::milliseconds timeout{1000};
};

// queue.type sqlite: reads the managed service's own database, read-only.
//
// Each probe opens the file afresh (SQLITE_OPEN_READONLY), so a file that was replaced, moved
// or deleted is noticed instead of reading an unlinked inode forever; opening is cheap. Locks
// held by the service are waited out with a busy timeout, and a slow query is interrupted by a
// progress handler, both at `timeout`. In WAL mode readers never wait for the writer; in
// rollback-journal mode they wait only while it commits.
//
// depth_query must give exactly one row with one integer column, from 0 up. active_query gives
// one row per running job: the count of rows is the active count and the first row becomes the
// active job, column names as keys (INTEGER -> integer, REAL -> number, TEXT -> string,
// NULL -> null, BLOB -> base64 string). Each query must be one read-only statement.
class SqliteQueueSource : public QueueSource {
 public:
  explicit SqliteQueueSource(SqliteQueueSourceOptions options);
  std::string_view Type() const override { return "sqlite"; }
  Result<QueueProbe> Probe() override;

 private:
  SqliteQueueSourceOptions options_;
};

}  // namespace upkeep
