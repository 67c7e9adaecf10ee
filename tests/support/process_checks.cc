#include "tests/support/process_checks.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace upkeep {

std::vector<std::string> StatFields(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream rest(text.substr(close + 1));
  std::vector<std::string> fields;
  for (std::string field; rest >> field;) fields.push_back(field);
  return fields;
}

bool ProcessIsGone(pid_t pid) {
  const std::vector<std::string> fields = StatFields(pid);
  return fields.empty() || (fields[0] == "Z" && ::getppid() != pid);
}

int LiveMembers(pid_t pgid) {
  int count = 0;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::vector<std::string> fields = StatFields(std::stoi(name));
    // fields[0] is the state (field 3), fields[2] the process group (field 5).
    if (fields.size() > 2 && fields[0] != "Z" && fields[2] == std::to_string(pgid)) ++count;
  }
  return count;
}

bool NoChildren() {
  errno = 0;
  return ::waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD;
}

}  // namespace upkeep
