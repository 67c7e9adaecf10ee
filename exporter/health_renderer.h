#pragma once

#include <string>

#include "exporter/sample.h"

namespace upkeep {

// Renders the /api/system/health JSON body for a Sample. The required shape:
//   { "cpu": {usage (percent), cores}, "memory": {used, total, percentage},
//     "disk": {used, total, percentage}   (the first configured filesystem),
//     "queue": {depth, activeJob}, "uptime": seconds }
// and beside it: disks[], load{}, collectors{}, version, timestamp. A value that the tick
// could not read is null, never a stale or made-up number.
void RenderHealthJson(const Sample& sample, std::string& out);

}  // namespace upkeep
