#pragma once

// Runs the real upkeep binary for a test: on an ephemeral port of 127.0.0.1, with its log
// captured, stopped by a real signal.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace upkeep::testing {

class DaemonProcess {
 public:
  // Starts `binary` with `args` (plus --web.listen-address 127.0.0.1:0 unless the args
  // set it) and waits up to `startup` for the log line matching `listening_pattern`, whose
  // first group is the bound port. The defaults fit upkeep; Prometheus and Alertmanager
  // take the same flag and log `msg="Listening on" address=HOST:PORT`.
  explicit DaemonProcess(std::vector<std::string> args,
                         std::chrono::milliseconds startup = std::chrono::seconds(15),
                         const std::string& binary = UPKEEP_BINARY,
                         const std::string& listening_pattern = kUpkeepListening);

  static constexpr const char* kUpkeepListening = "listening on [^ \\n\"]+:([0-9]+)\\b";
  static constexpr const char* kPrometheusListening =
      "msg=\"Listening on\" address=[^ \\n]+:([0-9]+)\\b";
  ~DaemonProcess();
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  bool started() const { return port_ != 0; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // Sends `signal` and waits up to `limit` for the exit. The exit status, or none when it
  // did not exit in time (it is then killed).
  std::optional<int> StopWith(int signal, std::chrono::milliseconds limit);
  // Waits for an exit that happens by itself (a start-up error). The exit status or none.
  std::optional<int> WaitForExit(std::chrono::milliseconds limit);

  // Everything the daemon wrote to stdout and stderr so far.
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  std::optional<int> exit_status_;  // set when it exited during start-up
  std::string log_path_;
};

// Runs a command to completion (no shell); returns its exit status and combined output.
struct CommandResult {
  int exit_status = -1;
  std::string output;
};
CommandResult RunCommand(const std::vector<std::string>& argv, const std::string& stdin_text = "");

// A fresh temporary directory, removed with its contents at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string Write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace upkeep::testing
