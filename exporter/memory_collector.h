#pragma once

#include <string>

#include "common/file_reader.h"
#include "exporter/collector.h"

namespace upkeep {

// /proc/meminfo: total, available and used (MemTotal - MemAvailable) memory.
class MemoryCollector : public Collector {
 public:
  explicit MemoryCollector(std::string procfs);
  std::string_view Name() const override { return "meminfo"; }
  Status Collect(Sample& sample) override;

 private:
  ProcFile file_;
  std::string buffer_;
};

}  // namespace upkeep
