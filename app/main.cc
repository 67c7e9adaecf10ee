// upkeep: watches the host and serves /metrics and /api/system/health.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "app/check_config_command.h"
#include "app/config.h"
#include "app/daemon.h"
#include "app/flags.h"
#include "app/logging.h"
#include "app/token_command.h"
#include "app/update_command.h"
#include "app/version_report.h"
#include "common/version.h"
#include "controller/git_helper.h"

namespace {

constexpr int kExitConfigError = 2;

// Blocks the stop signals and SIGHUP (reload) in every thread (threads inherit the mask) so
// that only sigwait() in main sees them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// This program, for `check-config` to run as the git helper as the daemon runs itself; "" when
// /proc/self/exe cannot be read (the repo check then fails and says so).
std::string ThisBinary() {
  std::error_code error;
  const std::filesystem::path path = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::string() : path.string();
}

}  // namespace

int main(int argc, char** argv) {
  // `upkeep git check ...` is the daemon's own git helper (controller/git_helper.h), run in a
  // child process as the checkout's owner: one JSON answer on stdout, no daemon set-up.
  if (argc >= 2 && std::string_view(argv[1]) == "git") {
    return upkeep::RunGitHelper(std::vector<std::string>(argv + 2, argv + argc), 0, 1);
  }
  // `upkeep token create|list|revoke ...` manages API tokens; it starts no daemon.
  if (argc >= 2 && std::string_view(argv[1]) == "token") {
    return upkeep::RunTokenCommand(argc - 1, argv + 1, stdout, stderr);
  }
  // `upkeep update resolve ...` closes an interrupted update run by hand; it starts no daemon.
  if (argc >= 2 && std::string_view(argv[1]) == "update") {
    return upkeep::RunUpdateCommand(argc - 1, argv + 1, stdout, stderr);
  }
  // `upkeep check-config [--config FILE] [flags]` checks what the daemon would load, like
  // `nginx -t`; it starts no daemon. Only its own lines on stdout: the log is for errors only.
  if (argc >= 2 && std::string_view(argv[1]) == "check-config") {
    upkeep::ConfigureLogging("error", "text");
    return upkeep::RunCheckConfigCommand(argc - 1, argv + 1, stdout, stderr, ThisBinary());
  }
  upkeep::CommandLine command_line;
  try {
    command_line = upkeep::ParseCommandLine(argc, argv);
  } catch (const upkeep::ConfigError& error) {
    std::fprintf(stderr, "upkeep: %s\n", error.what());
    return kExitConfigError;
  }
  if (command_line.show_help) {
    std::fputs(upkeep::UsageText().c_str(), stdout);
    return 0;
  }
  if (command_line.show_version) {
    std::fputs(upkeep::VersionReport().c_str(), stdout);
    return 0;
  }
  const upkeep::Config& config = command_line.config;
  upkeep::ConfigureLogging(config.log.level, config.log.format);
  signal(SIGPIPE, SIG_IGN);  // a client that hangs up mid-response is not our death
  const sigset_t stop_signals = BlockStopSignals();

  std::unique_ptr<upkeep::Daemon> daemon;
  try {
    daemon = std::make_unique<upkeep::Daemon>(config);
    daemon->Start();
  } catch (const std::exception& error) {
    spdlog::error("cannot start: {}", error.what());
    return kExitConfigError;
  }
  spdlog::info("upkeep {} (revision {}) started; config {}", upkeep::kVersion, upkeep::kRevision,
               config.config_file.empty() ? "(built-in defaults)" : config.config_file);
  spdlog::info("listening on {}:{}", daemon->bound_host(), daemon->bound_port());

  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) == 0 && signal_number == SIGHUP) {
    daemon->Reload();  // tokens file and JWT secret, at once
  }
  spdlog::info("received {}, shutting down", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  daemon->Stop();
  spdlog::info("stopped");
  return 0;
}
