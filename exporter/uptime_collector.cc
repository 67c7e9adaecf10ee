#include "exporter/uptime_collector.h"

#include "exporter/file_reader.h"

namespace upkeep {

UptimeCollector::UptimeCollector(std::string procfs) : path_(std::move(procfs) + "/uptime") {}

Status UptimeCollector::Collect(Sample& sample) {
  if (Status read = ReadFileInto(path_, buffer_); !read) return read;
  Result<Uptime> uptime = ParseUptime(buffer_);
  if (!uptime) return MakeError(path_ + ": " + uptime.error());
  sample.uptime = *uptime;
  return OkStatus();
}

}  // namespace upkeep
