#pragma once

#include <string>

#include "exporter/collector.h"

namespace upkeep {

// /proc/meminfo: total, available and used (MemTotal - MemAvailable) memory.
class MemoryCollector : public Collector {
 public:
  explicit MemoryCollector(std::string procfs);
  std::string_view Name() const override { return "meminfo"; }
  Status Collect(Sample& sample) override;

 private:
  std::string path_;
  std::string buffer_;
};

}  // namespace upkeep
