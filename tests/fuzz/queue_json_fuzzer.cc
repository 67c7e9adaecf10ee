// ParseQueueJson on arbitrary bytes (the queue summary comes from the managed service's HTTP
// endpoint or command): no crash, no UB, no exception, and an accepted summary is consistent
// and can be re-serialised into the health JSON.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "queue/queue_json.h"
#include "tests/fuzz/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const upkeep::Result<upkeep::QueueProbe> probe = upkeep::ParseQueueJson(text);
  if (!probe) {
    FUZZ_CHECK(!probe.error().empty());
    return 0;
  }
  FUZZ_CHECK(probe->depth >= 0 && probe->active_jobs >= 0);
  // An active count goes with the first active job's fields, an idle queue with null.
  FUZZ_CHECK((probe->active_jobs > 0) == probe->active_job.is_object());
  FUZZ_CHECK(probe->active_jobs > 0 || probe->active_job.is_null());
  const std::string dumped = probe->active_job.dump();
  FUZZ_CHECK(!dumped.empty());
  return 0;
}
