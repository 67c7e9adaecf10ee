#include "queue/sqlite_queue_source.h"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "common/result.h"

namespace upkeep {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// SQLite calls the progress handler every this many virtual machine steps: often enough to stop
// a runaway query within a millisecond or so, rarely enough to cost nothing.
constexpr int kProgressSteps = 1000;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

std::string Base64(const unsigned char* data, size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  for (size_t i = 0; i < size; i += 3) {
    const uint32_t n = (uint32_t{data[i]} << 16) | (i + 1 < size ? uint32_t{data[i + 1]} << 8 : 0) |
                       (i + 2 < size ? uint32_t{data[i + 2]} : 0);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += i + 1 < size ? kAlphabet[(n >> 6) & 63] : '=';
    out += i + 2 < size ? kAlphabet[n & 63] : '=';
  }
  return out;
}

// TEXT columns are not checked for UTF-8 by SQLite; the active job is later serialised as JSON,
// so invalid sequences are replaced (U+FFFD) here, once, instead of failing at every render.
json TextValue(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  const int size = sqlite3_column_bytes(stmt, column);
  json value = std::string(text == nullptr ? "" : text, static_cast<size_t>(size));
  return json::parse(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

json ColumnValue(sqlite3_stmt* stmt, int column) {
  switch (sqlite3_column_type(stmt, column)) {
    case SQLITE_INTEGER:
      return sqlite3_column_int64(stmt, column);
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt, column);
    case SQLITE_TEXT:
      return TextValue(stmt, column);
    case SQLITE_BLOB: {
      const auto* data = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, column));
      return Base64(data, static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
    }
    default:
      return nullptr;
  }
}

// What a depth_query value that is not an integer looked like, for the error message.
std::string DescribeNonInteger(sqlite3_stmt* stmt) {
  switch (sqlite3_column_type(stmt, 0)) {
    case SQLITE_FLOAT:
      return "a real number (" + json(sqlite3_column_double(stmt, 0)).dump() + ")";
    case SQLITE_TEXT:
      return "text (" + TextValue(stmt, 0).dump() + ")";
    case SQLITE_BLOB:
      return "a blob";
    default:
      return "NULL";
  }
}

// One probe: an open connection, the deadline, and the path for messages.
class ProbeRun {
 public:
  explicit ProbeRun(const SqliteQueueSourceOptions& options)
      : options_(options), deadline_(Clock::now() + options.timeout) {}

  Result<QueueProbe> Run() {
    if (Status opened = Open(); !opened) return Error{opened.error()};
    Result<int64_t> depth = Depth();
    if (!depth) return Error{depth.error()};
    QueueProbe probe;
    probe.depth = *depth;
    if (Status active = ActiveJobs(probe); !active) return Error{active.error()};
    return probe;
  }

 private:
  Error Fail(const std::string& what) const {
    return MakeError("sqlite " + options_.path + ": " + what);
  }

  Status Open() {
    struct stat st {};
    if (::stat(options_.path.c_str(), &st) != 0) {
      return Fail("cannot open the queue database: " + std::string(std::strerror(errno)));
    }
    if (!S_ISREG(st.st_mode)) return Fail("the queue database is not a regular file");
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(options_.path.c_str(), &raw,
                                   SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    db_.reset(raw);  // even a failed open allocates a handle that must be closed
    if (rc != SQLITE_OK) {
      return Fail("cannot open the queue database: " +
                  std::string(raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_progress_handler(db_.get(), kProgressSteps, &ProbeRun::PastDeadline, this);
    return OkStatus();
  }

  static int PastDeadline(void* self) {
    return Clock::now() >= static_cast<ProbeRun*>(self)->deadline_ ? 1 : 0;
  }

  // Prepares `sql` as one read-only statement, with the remaining time as the busy timeout.
  Result<Stmt> Prepare(std::string_view name, const std::string& sql) {
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()).count();
    if (remaining <= 0) return Fail(std::string(name) + ": " + TimeoutText());
    sqlite3_busy_timeout(db_.get(), static_cast<int>(remaining));
    sqlite3_stmt* raw = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db_.get(), sql.c_str(), static_cast<int>(sql.size()), &raw, &tail);
    Stmt stmt(raw);
    if (rc != SQLITE_OK) return Fail(std::string(name) + ": " + ErrorText(rc));
    if (!stmt) return Fail(std::string(name) + " is empty");
    // Anything after the first statement other than spaces, semicolons and comments is a second
    // statement: refused, so that a query cannot do more than it appears to.
    sqlite3_stmt* extra = nullptr;
    rc = sqlite3_prepare_v2(db_.get(), tail, -1, &extra, nullptr);
    const bool more = extra != nullptr;
    sqlite3_finalize(extra);
    if (rc != SQLITE_OK || more) return Fail(std::string(name) + " must be a single statement");
    if (!sqlite3_stmt_readonly(stmt.get())) {
      return Fail(std::string(name) + " must be a read-only statement");
    }
    return stmt;
  }

  // A failed step or prepare in words; a lock or the deadline says what it means here.
  std::string ErrorText(int rc) const {
    switch (rc & 0xff) {
      case SQLITE_BUSY:
      case SQLITE_LOCKED:
        return "the database is locked by another connection (waited the timeout of " +
               std::to_string(options_.timeout.count()) + " ms)";
      case SQLITE_INTERRUPT:
        return TimeoutText();
      default:
        return sqlite3_errmsg(db_.get());
    }
  }

  std::string TimeoutText() const {
    return "the query did not finish within the timeout of " +
           std::to_string(options_.timeout.count()) + " ms";
  }

  Result<int64_t> Depth() {
    Result<Stmt> stmt = Prepare("depth_query", options_.depth_query);
    if (!stmt) return Error{stmt.error()};
    sqlite3_stmt* s = stmt->get();
    if (sqlite3_column_count(s) != 1) {
      return Fail("depth_query must return one column, it returns " +
                  std::to_string(sqlite3_column_count(s)));
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) return Fail("depth_query returned no rows, expected one integer");
    if (rc != SQLITE_ROW) return Fail("depth_query: " + ErrorText(rc));
    if (sqlite3_column_type(s, 0) != SQLITE_INTEGER) {
      return Fail("depth_query returned " + DescribeNonInteger(s) +
                  " where an integer was expected");
    }
    const int64_t depth = sqlite3_column_int64(s, 0);
    if (depth < 0)
      return Fail("depth_query returned a negative depth (" + std::to_string(depth) + ")");
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return Fail("depth_query returned more than one row, expected one");
    if (rc != SQLITE_DONE) return Fail("depth_query: " + ErrorText(rc));
    return depth;
  }

  Status ActiveJobs(QueueProbe& probe) {
    Result<Stmt> stmt = Prepare("active_query", options_.active_query);
    if (!stmt) return Error{stmt.error()};
    sqlite3_stmt* s = stmt->get();
    const int columns = sqlite3_column_count(s);
    for (;;) {
      const int rc = sqlite3_step(s);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) return Fail("active_query: " + ErrorText(rc));
      if (probe.active_jobs++ > 0) continue;  // only the first job is kept; the rest are counted
      json job = json::object();
      for (int c = 0; c < columns; ++c) {
        const char* name = sqlite3_column_name(s, c);
        job[name == nullptr ? "column" + std::to_string(c) : std::string(name)] = ColumnValue(s, c);
      }
      probe.active_job = std::move(job);
    }
    return OkStatus();
  }

  const SqliteQueueSourceOptions& options_;
  const Clock::time_point deadline_;
  Db db_;
};

}  // namespace

SqliteQueueSource::SqliteQueueSource(SqliteQueueSourceOptions options)
    : options_(std::move(options)) {}

Result<QueueProbe> SqliteQueueSource::Probe() { return ProbeRun(options_).Run(); }

}  // namespace upkeep
