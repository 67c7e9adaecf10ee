#include "app/check_config_command.h"

#include <exception>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "app/check_config_checks.h"
#include "app/check_config_repo.h"
#include "app/check_config_report.h"
#include "app/flags.h"

namespace upkeep {
namespace {

constexpr int kExitUsage = 2;

constexpr std::string_view kUsage =
    "Usage:\n"
    "  upkeep check-config [--config FILE] [flags]\n"
    "\n"
    "Checks what the daemon with the same --config and flags would check at its start, and\n"
    "starts nothing: the config, the tokens file, the JWT secret, the TLS certificate and key,\n"
    "one probe of the queue, update.state_dir, and update.repo (through the git helper as\n"
    "update.user, without fetching). One line per check: ok, FAILED or skipped, the check,\n"
    "then what was found. Exit status 0 when nothing failed, 2 otherwise. The flags are the\n"
    "daemon's (see upkeep --help).\n";

bool WantsHelp(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return true;
  }
  return false;
}

// Prints each line as soon as its check is done (a slow probe shows where it waits) and keeps
// it for the summary and the exit status.
class CheckPrinter {
 public:
  explicit CheckPrinter(std::FILE* out) : out_(out) {}
  void Print(CheckLine line) {
    std::fputs(FormatCheckLine(line).c_str(), out_);
    std::fflush(out_);
    lines_.push_back(std::move(line));
  }
  const std::vector<CheckLine>& lines() const { return lines_; }

 private:
  std::FILE* out_;
  std::vector<CheckLine> lines_;
};

}  // namespace

int RunCheckConfigCommand(int argc, const char* const* argv, std::FILE* out, std::FILE* err,
                          const std::string& helper_binary) {
  if (WantsHelp(argc, argv)) {
    std::fputs(std::string(kUsage).c_str(), out);
    return 0;
  }
  FlagArguments flags;
  try {
    flags = ParseFlagArguments(argc, argv);
    if (flags.show_version) throw ConfigError("--version: not a check-config flag");
  } catch (const ConfigError& error) {
    std::fprintf(err, "upkeep check-config: %s\n\n%s", error.what(), std::string(kUsage).c_str());
    return kExitUsage;
  }

  CheckPrinter printer(out);
  std::optional<Config> config;
  try {
    config = ConfigOfFlags(flags);
    printer.Print(CheckOk("config", flags.config_path.value_or("(built-in defaults)")));
  } catch (const std::exception& error) {
    printer.Print(CheckFailed("config", error.what()));
  }
  if (config) {
    printer.Print(CheckTokensFile(config->auth));
    printer.Print(CheckJwtSecret(config->auth));
    printer.Print(CheckTls(config->web));
    printer.Print(CheckQueue(config->queue));
    printer.Print(CheckUpdateStateDir(config->update));
    printer.Print(CheckUpdateRepo(config->update, helper_binary));
  } else {
    // With no config there is nothing to check the rest against.
    for (const char* check : {"tokens", "jwt", "tls", "queue", "state_dir", "repo"}) {
      printer.Print(CheckSkipped(check, "the config did not load"));
    }
  }
  const std::vector<CheckLine>& lines = printer.lines();
  std::fprintf(err, "%s\n", CheckConfigSummary(lines).c_str());
  return CheckConfigExitStatus(lines);
}

}  // namespace upkeep
