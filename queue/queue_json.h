#pragma once

#include <cstddef>
#include <string_view>

#include "common/result.h"
#include "queue/queue_source.h"

namespace upkeep {

// The most queue JSON a source reads (HTTP body or command stdout): a queue summary is a few
// hundred bytes; anything near this is a wrong endpoint, not a summary.
inline constexpr size_t kMaxQueueJsonBytes = 1 << 20;
// How deep the JSON may nest. The active job is re-serialised into the health JSON, and
// serialising is recursive, so absurd nesting is refused here.
inline constexpr int kMaxQueueJsonDepth = 32;

// Parses the queue summary that the http and command sources read:
//   {"depth": N, "activeJobs": [{...}, ...]}   or   {"depth": N, "activeJob": {...} | null}
// `depth` is required: an integer from 0 up. One of `activeJobs` (an array of objects; its size
// is the active count, its first element the active job) or `activeJob` (an object or null)
// is required too, so that a summary that forgot its running jobs never reads as idle. With
// both, they must agree. Other keys are ignored. Pure: no I/O, no global state.
Result<QueueProbe> ParseQueueJson(std::string_view text);

}  // namespace upkeep
