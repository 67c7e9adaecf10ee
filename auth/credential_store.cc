#include "auth/credential_store.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include <cerrno>

#include "auth/secure_file.h"
#include "auth/tokens_file.h"
#include "common/config_error.h"

namespace upkeep {
namespace {

constexpr size_t kMaxTokensFileBytes = 1 << 20;
constexpr size_t kMaxSecretBytes = 64 << 10;

std::string ModeText(mode_t mode) {
  char text[16];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
  return text;
}

}  // namespace

bool CredentialStore::FileStamp::operator==(const FileStamp& other) const {
  return exists == other.exists && device == other.device && inode == other.inode &&
         size == other.size && mtime.tv_sec == other.mtime.tv_sec &&
         mtime.tv_nsec == other.mtime.tv_nsec && ctime.tv_sec == other.ctime.tv_sec &&
         ctime.tv_nsec == other.ctime.tv_nsec;
}

CredentialStore::FileStamp CredentialStore::Stamp(const std::string& path) {
  FileStamp stamp;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    // Anything but "not there" (EACCES, say) counts as present, so that reading it reports why.
    stamp.exists = errno != ENOENT;
    return stamp;
  }
  stamp.exists = true;
  stamp.device = st.st_dev;
  stamp.inode = st.st_ino;
  stamp.size = st.st_size;
  stamp.mtime = st.st_mtim;
  stamp.ctime = st.st_ctim;
  return stamp;
}

CredentialStore::CredentialStore(CredentialStoreOptions options) : options_(std::move(options)) {}

CredentialStore::~CredentialStore() { Stop(); }

void CredentialStore::Load() { Refresh(/*force=*/true, /*startup=*/true); }

void CredentialStore::StartWatching() {
  if (watcher_.running()) return;
  if (options_.tokens_file.empty() && options_.jwt_secret_file.empty() && !options_.on_poll) {
    return;  // nothing to watch
  }
  watcher_.Start({.interval = options_.poll_interval,
                  .first_run = WorkerSchedule::FirstRun::kAfterInterval,
                  .overrun = WorkerSchedule::Overrun::kWaitFullInterval},
                 [this] { Poll(); });
}

void CredentialStore::Stop() { watcher_.Stop(); }

void CredentialStore::RequestReload() {
  reload_requested_.store(true, std::memory_order_relaxed);
  watcher_.Wake();
}

void CredentialStore::Poll() {
  const bool force = reload_requested_.exchange(false, std::memory_order_relaxed);
  if (force) spdlog::info("reloading credentials (SIGHUP)");
  Refresh(force, /*startup=*/false);
  if (options_.on_poll) options_.on_poll();
}

void CredentialStore::Refresh(bool force, bool startup) {
  std::lock_guard lock(refresh_mutex_);
  const bool tokens_changed = RefreshTokens(force, startup);
  const bool jwt_changed = RefreshJwtSecret(force, startup);
  if (!tokens_changed && !jwt_changed && loaded_) return;
  Credentials credentials;
  credentials.tokens = tokens_;
  credentials.jwt = options_.jwt;
  credentials.jwt.secret = jwt_secret_;
  published_.Replace(std::move(credentials));
  loaded_ = true;
}

bool CredentialStore::RefreshTokens(bool force, bool startup) {
  const std::string& path = options_.tokens_file;
  if (path.empty()) return false;
  const FileStamp stamp = Stamp(path);
  if (!force && stamp == tokens_stamp_) return false;
  tokens_stamp_ = stamp;
  if (!stamp.exists) {
    spdlog::warn(
        "tokens file {} does not exist: no API token is accepted until it does "
        "(create one with `upkeep token create`)",
        path);
    tokens_ = TokenSet();
    return true;
  }
  const Result<SmallFile> file = ReadSmallFile(path, kMaxTokensFileBytes);
  Result<std::vector<TokenRecord>> records =
      file ? ParseTokensFile(file->bytes) : Result<std::vector<TokenRecord>>(MakeError(""));
  if (!file || !records) {
    const std::string why = !file ? file.error() : path + ": " + records.error();
    if (startup) throw ConfigError("auth.tokens_file: " + why);
    spdlog::error("cannot reload the tokens file: {}; keeping the previous {} token(s)", why,
                  tokens_.size());
    return false;
  }
  if (OpenToOthers(file->mode)) {
    spdlog::warn("tokens file {} has mode {}: other users can read it; chmod 600 {}", path,
                 ModeText(file->mode), path);
  }
  tokens_ = TokenSet(std::move(records).value());
  spdlog::info("loaded {} API token(s) from {}", tokens_.size(), path);
  return true;
}

bool CredentialStore::RefreshJwtSecret(bool force, bool startup) {
  const std::string& path = options_.jwt_secret_file;
  if (path.empty()) return false;
  const FileStamp stamp = Stamp(path);
  if (!force && stamp == jwt_stamp_) return false;
  jwt_stamp_ = stamp;
  Result<SmallFile> file = ReadSmallFile(path, kMaxSecretBytes);
  std::string problem;
  std::string secret;
  if (!file) {
    problem = file.error();
  } else if (Result<std::string> normal = NormalizeJwtSecret(file->bytes); !normal) {
    problem = path + ": " + normal.error();
  } else {
    secret = std::move(normal).value();
  }
  if (!problem.empty()) {
    if (startup) throw ConfigError("auth.jwt.secret_file: " + problem);
    spdlog::error("cannot reload the JWT secret: {}; keeping the previous one", problem);
    return false;
  }
  if (OpenToOthers(file->mode)) {
    spdlog::warn(
        "JWT secret file {} has mode {}: other users can read the secret and forge "
        "tokens; chmod 600 {}",
        path, ModeText(file->mode), path);
  }
  const bool changed = secret != jwt_secret_;
  jwt_secret_ = std::move(secret);
  if (changed && !startup) spdlog::info("loaded a new JWT secret from {}", path);
  return changed || force;
}

}  // namespace upkeep
