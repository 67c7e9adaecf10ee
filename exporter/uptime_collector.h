#pragma once

#include <string>

#include "common/file_reader.h"
#include "exporter/collector.h"

namespace upkeep {

// /proc/uptime: seconds since boot.
class UptimeCollector : public Collector {
 public:
  explicit UptimeCollector(std::string procfs);
  std::string_view Name() const override { return "uptime"; }
  Status Collect(Sample& sample) override;

 private:
  ProcFile file_;
  std::string buffer_;
};

}  // namespace upkeep
