#include "controller/run_environment.h"

#include <pwd.h>
#include <unistd.h>

namespace upkeep {

std::vector<std::string> CleanEnvironment(const std::optional<RunAs>& run_as) {
  const uid_t uid = run_as ? run_as->uid : ::geteuid();
  std::string name = run_as ? run_as->name : "";
  std::string home = run_as ? run_as->home : "/";
  std::string shell = "/bin/sh";
  struct passwd entry {};
  struct passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr) {
    if (name.empty()) name = found->pw_name;
    if (!run_as) home = found->pw_dir;
    if (found->pw_shell != nullptr && found->pw_shell[0] != '\0') shell = found->pw_shell;
  }
  if (name.empty()) name = std::to_string(uid);
  return {"HOME=" + home, "USER=" + name, "LOGNAME=" + name, "SHELL=" + shell, kCleanPath};
}

void SetVariables(std::vector<std::string>& env,
                  const std::map<std::string, std::string>& variables) {
  for (const auto& [name, value] : variables) {
    const std::string prefix = name + "=";
    bool replaced = false;
    for (std::string& entry : env) {
      if (entry.starts_with(prefix)) {
        entry = prefix + value;
        replaced = true;
      }
    }
    if (!replaced) env.push_back(prefix + value);
  }
}

}  // namespace upkeep
