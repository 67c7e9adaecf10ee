// upkeep: watches the host and serves /metrics and /api/system/health.

#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "app/config.h"
#include "app/daemon.h"
#include "app/flags.h"
#include "app/logging.h"
#include "app/token_command.h"
#include "app/update_command.h"
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
    std::printf("upkeep %s (revision %s)\n", upkeep::kVersion, upkeep::kRevision);
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
