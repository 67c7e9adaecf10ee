#include "exporter/load_collector.h"

#include "exporter/file_reader.h"

namespace upkeep {

LoadCollector::LoadCollector(std::string procfs) : path_(std::move(procfs) + "/loadavg") {}

Status LoadCollector::Collect(Sample& sample) {
  if (Status read = ReadFileInto(path_, buffer_); !read) return read;
  Result<LoadAvg> load = ParseLoadavg(buffer_);
  if (!load) return MakeError(path_ + ": " + load.error());
  sample.load = *load;
  return OkStatus();
}

}  // namespace upkeep
