#include "exporter/load_collector.h"

#include "common/file_reader.h"

namespace upkeep {

LoadCollector::LoadCollector(std::string procfs) : file_(std::move(procfs) + "/loadavg") {}

Status LoadCollector::Collect(Sample& sample) {
  if (Status read = file_.ReadInto(buffer_); !read) return read;
  Result<LoadAvg> load = ParseLoadavg(buffer_);
  if (!load) return MakeError(file_.path() + ": " + load.error());
  sample.load = *load;
  return OkStatus();
}

}  // namespace upkeep
