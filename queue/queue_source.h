#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// What one probe of the managed service's job queue found.
struct QueueProbe {
  int64_t depth = 0;          // jobs waiting
  int64_t active_jobs = 0;    // jobs running now
  nlohmann::json active_job;  // the first running job's fields, or null
};

// The latest queue probe as the sampler saw it (QueueMonitor::Latest).
struct QueueSample {
  std::string source = "none";
  bool probe_success = true;
  double probe_duration_seconds = 0;
  double last_success_timestamp_seconds = 0;
  bool stale = false;
  std::string error;  // empty when the last probe succeeded
  int64_t depth = 0;
  int64_t active_jobs = 0;
  nlohmann::json active_job;  // null when no job is active
};

// A way to read the managed service's job queue (SQLite, HTTP, a command, or none).
// upkeep reads the queue; it never writes it. Probe() may block up to the source's own
// timeout, so it is called from a probe thread, never from the sampler or a request.
class QueueSource {
 public:
  virtual ~QueueSource() = default;
  // The queue.type name: "none", "sqlite", "http", "command".
  virtual std::string_view Type() const = 0;
  virtual Result<QueueProbe> Probe() = 0;
};

// queue.type none: an explicit "no queue". Always idle, so a host without a job queue
// never reports "unknown" and never blocks updates.
class NoneQueueSource : public QueueSource {
 public:
  std::string_view Type() const override { return "none"; }
  Result<QueueProbe> Probe() override { return QueueProbe{}; }
};

}  // namespace upkeep
