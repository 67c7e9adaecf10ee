#pragma once

#include <memory>

#include "queue/queue_options.h"
#include "queue/queue_source.h"

namespace upkeep {

// The queue source queue.* describes: sqlite, http, command, or none (an explicit "no queue",
// always idle). The values were validated when the config was loaded (URL, command line). The
// daemon's queue monitor and `upkeep check-config` build theirs here, so both probe the same.
std::unique_ptr<QueueSource> QueueSourceOf(const QueueOptions& queue);

}  // namespace upkeep
