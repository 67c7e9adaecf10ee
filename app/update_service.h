#pragma once

#include <memory>
#include <optional>

#include "controller/update_check_loop.h"
#include "controller/update_checker.h"
#include "controller/update_options.h"
#include "controller/update_runner.h"
#include "controller/update_status.h"
#include "exporter/update_run_sample.h"
#include "exporter/update_sample.h"
#include "queue/queue_monitor.h"

namespace upkeep {

// The update half of the daemon, from an update: section: the check (UpdateChecker, its
// background loop and its status) and the runner (execute, status, history, recovery), wired
// to the queue monitor and to each other (a run holds the update lock: the check then fetches
// nothing). The daemon serves what it offers.
class UpdateService {
 public:
  // Creates update.state_dir (0700) and checks it (controller/state_dir_check.h). Throws
  // ConfigError when it is unusable, std::runtime_error when this binary cannot be found for
  // the git helper.
  UpdateService(const UpdateOptions& update, QueueMonitor& queue);
  ~UpdateService();
  UpdateService(const UpdateService&) = delete;
  UpdateService& operator=(const UpdateService&) = delete;

  // Recovers an interrupted run (which may take a rollback's time: called before serving),
  // then starts the background check.
  void Start();
  // SIGTERM: the run under way rolls back within update.shutdown_timeout, then the background
  // check and the recovery stop. False when a run is still under way after all: the process
  // must exit without destroying this (the journal is left for the next start).
  bool Stop();

  UpdateChecker& checker() { return *checker_; }
  UpdateRunner& runner() { return *runner_; }
  UpdateSample Sample() const;
  UpdateRunSample RunSample() const;

 private:
  std::unique_ptr<UpdateStatusTracker> status_;  // outlives the checker (its on_run)
  std::unique_ptr<UpdateChecker> checker_;
  std::unique_ptr<UpdateRunner> runner_;
  std::unique_ptr<UpdateCheckLoop> loop_;
  bool stopped_ = false;
};

}  // namespace upkeep
