#pragma once

#include <string_view>

#include "common/result.h"
#include "exporter/sample.h"

namespace upkeep {

// One source of host values. The sampler calls Collect() once a tick on its own thread,
// times it and records success; a failing collector leaves its part of the sample empty
// and never blanks the others. Collect() must return within a bounded time: a source
// that can block (statvfs on a hung mount) must bound itself.
class Collector {
 public:
  virtual ~Collector() = default;
  // Short, stable name: the {collector} label of upkeep_collector_success.
  virtual std::string_view Name() const = 0;
  // Called once a tick, for every collector, before the first Collect(). A collector whose
  // work runs on other threads (statvfs workers) hands it out here, so that it overlaps the
  // other collectors' reading: the sampler then finds the answers waiting instead of
  // sleeping on them (each sleep and wake-up costs ~25 µs of CPU on a 2-vCPU VM).
  virtual void Begin() {}
  // Fills this collector's part of `sample`. May fill part of it and still return an
  // error (one stuck mount among several).
  virtual Status Collect(Sample& sample) = 0;
};

}  // namespace upkeep
