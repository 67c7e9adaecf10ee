#include "exporter/memory_collector.h"

#include "exporter/file_reader.h"

namespace upkeep {

MemoryCollector::MemoryCollector(std::string procfs) : path_(std::move(procfs) + "/meminfo") {}

Status MemoryCollector::Collect(Sample& sample) {
  if (Status read = ReadFileInto(path_, buffer_); !read) return read;
  Result<MemInfo> info = ParseMeminfo(buffer_);
  if (!info) return MakeError(path_ + ": " + info.error());
  sample.memory = *info;
  return OkStatus();
}

}  // namespace upkeep
