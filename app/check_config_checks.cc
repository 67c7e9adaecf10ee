#include "app/check_config_checks.h"

#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <utility>

#include "app/queue_source_of.h"
#include "auth/credential_store.h"
#include "auth/secure_file.h"
#include "common/duration.h"
#include "controller/git_user.h"
#include "controller/state_dir_check.h"
#include "server/tls_files_check.h"

namespace upkeep {
namespace {

// A warning for an ok line when a credential file is open to other users, as the daemon logs.
std::string ModeWarning(const std::string& path, const std::string& what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || !OpenToOthers(info.st_mode)) return "";
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
  return "; warning: mode " + std::string(mode) + " lets other users read " + what +
         ": chmod 600 " + path;
}

// Loads one credential file as the daemon does at its start; the daemon's own error if it
// would not start.
std::optional<std::string> LoadAsTheDaemon(const std::string& tokens_file,
                                           const std::string& jwt_secret_file,
                                           size_t* tokens = nullptr) {
  try {
    CredentialStoreOptions options;
    options.tokens_file = tokens_file;
    options.jwt_secret_file = jwt_secret_file;
    CredentialStore store(std::move(options));
    store.Load();
    if (tokens != nullptr) *tokens = store.Current()->tokens.size();
    return std::nullopt;
  } catch (const std::exception& error) {
    return error.what();
  }
}

std::string QueueTarget(const QueueOptions& queue) {
  if (queue.type == "sqlite") return "sqlite " + queue.sqlite.path;
  if (queue.type == "http") return "http " + queue.http.url;
  if (queue.type == "command") return "command " + queue.command.run;
  return queue.type;
}

}  // namespace

CheckLine CheckTokensFile(const AuthOptions& auth) {
  constexpr const char* kCheck = "tokens";
  const std::string& path = auth.tokens_file;
  if (path.empty()) return CheckSkipped(kCheck, "no auth.tokens_file configured");
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 && errno == ENOENT) {
    return CheckFailed(kCheck, "auth.tokens_file: " + path +
                                   " does not exist: the daemon would start but accept no API "
                                   "token (create one with `upkeep token create`)");
  }
  size_t tokens = 0;
  if (std::optional<std::string> error = LoadAsTheDaemon(path, "", &tokens)) {
    return CheckFailed(kCheck, *error);
  }
  return CheckOk(kCheck, path + ": " + std::to_string(tokens) + " token(s)" +
                             ModeWarning(path, "the token hashes"));
}

CheckLine CheckJwtSecret(const AuthOptions& auth) {
  constexpr const char* kCheck = "jwt";
  const std::string& path = auth.jwt.secret_file;
  if (path.empty()) return CheckSkipped(kCheck, "no auth.jwt.secret_file configured");
  if (std::optional<std::string> error = LoadAsTheDaemon("", path)) {
    return CheckFailed(kCheck, *error);
  }
  return CheckOk(kCheck, path + ": a usable HS256 secret" + ModeWarning(path, "the secret"));
}

CheckLine CheckTls(const WebOptions& web) {
  constexpr const char* kCheck = "tls";
  if (!web.tls.enabled()) return CheckSkipped(kCheck, "no web.tls configured (plain HTTP)");
  try {
    if (Status checked = CheckTlsFiles(web.tls.cert_file, web.tls.key_file); !checked) {
      return CheckFailed(kCheck, checked.error());
    }
  } catch (const std::exception& error) {
    return CheckFailed(kCheck, error.what());
  }
  return CheckOk(kCheck, web.tls.cert_file + " and " + web.tls.key_file +
                             ": the certificate and the key load and match");
}

CheckLine CheckQueue(const QueueOptions& queue) {
  constexpr const char* kCheck = "queue";
  if (queue.type == "none") return CheckSkipped(kCheck, "queue.type none (no queue configured)");
  const std::string target = QueueTarget(queue);
  try {
    const std::unique_ptr<QueueSource> source = QueueSourceOf(queue);
    const auto started = std::chrono::steady_clock::now();
    Result<QueueProbe> probe = source->Probe();  // bounded by queue.timeout, as the daemon's
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (!probe) {
      // Each source's errors name it already ("GET URL: ...", "sqlite PATH: ...").
      return CheckFailed(kCheck,
                         probe.error() + " (queue.timeout " + FormatDuration(queue.timeout) + ")");
    }
    return CheckOk(kCheck, target + ": " + std::to_string(probe->depth) + " waiting, " +
                               std::to_string(probe->active_jobs) + " active (" +
                               FormatDuration(took) + ")");
  } catch (const std::exception& error) {
    return CheckFailed(kCheck, target + ": " + error.what());
  }
}

CheckLine CheckUpdateStateDir(const UpdateOptions& update) {
  constexpr const char* kCheck = "state_dir";
  if (!update.configured) return CheckSkipped(kCheck, "no update: section");
  const std::string& dir = update.state_dir;
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0 && errno == ENOENT) {
    return CheckOk(kCheck, dir + ": not there yet; the daemon creates it (mode 0700) at start");
  }
  try {
    // The user git work runs as, who must not be able to replace the directory (as the daemon
    // asks it: an update user that cannot be resolved is the repo check's failure).
    std::optional<uid_t> user_uid;
    if (CheckResult<std::optional<RunAs>> user = ResolveGitUser(update.repo, update.user);
        user.ok() && user->has_value()) {
      user_uid = (*user)->uid;
    }
    if (Status checked = CheckStateDir(dir, update.repo, user_uid); !checked) {
      return CheckFailed(kCheck, checked.error());
    }
  } catch (const std::exception& error) {
    return CheckFailed(kCheck, dir + ": " + error.what());
  }
  return CheckOk(kCheck, dir);
}

}  // namespace upkeep
