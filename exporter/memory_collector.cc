#include "exporter/memory_collector.h"

#include "common/file_reader.h"

namespace upkeep {

MemoryCollector::MemoryCollector(std::string procfs) : file_(std::move(procfs) + "/meminfo") {}

Status MemoryCollector::Collect(Sample& sample) {
  if (Status read = file_.ReadInto(buffer_); !read) return read;
  Result<MemInfo> info = ParseMeminfo(buffer_);
  if (!info) return MakeError(file_.path() + ": " + info.error());
  sample.memory = *info;
  return OkStatus();
}

}  // namespace upkeep
