#include "exporter/uptime_collector.h"

#include "common/file_reader.h"

namespace upkeep {

UptimeCollector::UptimeCollector(std::string procfs) : file_(std::move(procfs) + "/uptime") {}

Status UptimeCollector::Collect(Sample& sample) {
  if (Status read = file_.ReadInto(buffer_); !read) return read;
  Result<Uptime> uptime = ParseUptime(buffer_);
  if (!uptime) return MakeError(file_.path() + ": " + uptime.error());
  sample.uptime = *uptime;
  return OkStatus();
}

}  // namespace upkeep
