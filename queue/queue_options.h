#pragma once

#include <chrono>
#include <string>

#include "common/settings.h"
#include "queue/sqlite_queue_source.h"

namespace upkeep {

// queue.*: the managed service's job queue (queue/queue_monitor.h) and its source.
struct QueueOptions {
  std::string type = "none";  // sqlite | http | command | none; no queue: section means none
  std::chrono::milliseconds interval{2000};      // between probes
  std::chrono::milliseconds timeout{1000};       // a probe that takes longer fails
  std::chrono::milliseconds stale_after{10000};  // an older good probe no longer counts
  struct Sqlite {
    std::string path;  // required for type sqlite; relative to the working directory
    std::string depth_query = std::string(kDefaultDepthQuery);
    std::string active_query = std::string(kDefaultActiveQuery);
    bool operator==(const Sqlite&) const = default;
  } sqlite;
  struct Http {
    std::string url;                // required for type http; http:// or https://
    std::string bearer_token_file;  // empty: no Authorization header
    std::string ca_file;  // PEM CAs for an https:// URL (a private CA); empty: the system's
    bool operator==(const Http&) const = default;
  } http;
  struct Command {
    std::string run;  // required for type command; split by SplitCommandLine, no shell
    bool operator==(const Command&) const = default;
  } command;
  bool operator==(const QueueOptions&) const = default;
};

// The queue.* settings (no YAML here: see common/settings.h) and their cross-field rules: a
// section that is there needs a type, each type its source key, and stale_after must cover an
// interval and a timeout.
SettingsTable<QueueOptions> QueueSettings();

}  // namespace upkeep
