#pragma once

#include <string>

#include "common/file_reader.h"
#include "exporter/collector.h"

namespace upkeep {

// /proc/loadavg: the 1, 5 and 15 minute load averages.
class LoadCollector : public Collector {
 public:
  explicit LoadCollector(std::string procfs);
  std::string_view Name() const override { return "loadavg"; }
  Status Collect(Sample& sample) override;

 private:
  ProcFile file_;
  std::string buffer_;
};

}  // namespace upkeep
