#include "tests/support/api_tokens.h"

#include <sstream>

#include "tests/support/daemon_process.h"

namespace upkeep::testing {

std::string CreateToken(const std::string& tokens_file, const std::string& name,
                        const std::string& role) {
  const CommandResult result = RunCommand({UPKEEP_BINARY, "token", "create", "--name", name,
                                           "--role", role, "--tokens-file", tokens_file});
  if (result.exit_status != 0) return {};
  std::istringstream lines(result.output);  // stdout and stderr together: find the token line
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("upk_", 0) == 0) return line;
  }
  return {};
}

std::string Bearer(const std::string& credential) {
  return "Authorization: Bearer " + credential + "\r\n";
}

}  // namespace upkeep::testing
