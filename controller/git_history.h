#pragma once

#include <git2.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "controller/check_error.h"
#include "controller/git_checkout.h"

namespace upkeep {

struct AheadBehind {
  uint64_t ahead = 0;   // commits on `local` that `upstream` lacks
  uint64_t behind = 0;  // commits on `upstream` that `local` lacks
};

CheckResult<AheadBehind> CountAheadBehind(const GitCheckout& checkout, const git_oid& local,
                                          const git_oid& upstream);

// Subjects of the commits reachable from `tip` and not from `base`, newest first (topological,
// then commit time), merges included; at most `limit` of them.
CheckResult<std::vector<std::string>> CommitSubjects(const GitCheckout& checkout,
                                                     const git_oid& tip, const git_oid& base,
                                                     size_t limit);

}  // namespace upkeep
