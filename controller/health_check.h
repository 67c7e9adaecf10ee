#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "controller/step_runner.h"
#include "controller/update_step_options.h"

namespace upkeep {

// update.health_check as RunHealthCheck reads it: url (or run), expect_revision, timeout per
// attempt, retries after the first attempt, interval between attempts.
using HealthCheckSpec = UpdateHealthCheck;

struct HealthCheckOutcome {
  bool passed = false;
  int attempts = 0;
  std::string last_error;  // why the last attempt failed; empty when it passed
};

// Whether `body` names `revision` (40 hex digits): a run of hex digits in it, delimited by
// non-hex characters or the ends of the body, that is the revision or a prefix of it at least
// 7 digits long ("version": "1a2b3c4" or "rev=1a2b3c4d5e..."), compared without regard to case.
// A run of hex digits that merely contains the revision (inside a longer hash) does not count.
bool BodyNamesRevision(std::string_view body, std::string_view revision);

// Checks the restarted service until an attempt passes or 1 + spec.retries attempts failed,
// spec.interval apart. With spec.url, an HTTP GET (common/http_client.h) within spec.timeout
// that answers 2xx, and with spec.expect_revision a body naming `expected_revision`
// (BodyNamesRevision); an old process still answering on the port does not pass. With spec.run,
// the command exits 0 within spec.timeout, run like a step (RunStep with `context`: the same
// user, directory and environment, its output in the run's log). Each attempt's result is a
// line in context.log_fd. A spec with neither passes at once, with no attempt.
HealthCheckOutcome RunHealthCheck(const HealthCheckSpec& spec, std::string_view expected_revision,
                                  const StepContext& context);

}  // namespace upkeep
