#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <ctime>
#include <functional>
#include <mutex>
#include <string>

#include "auth/jwt_verifier.h"
#include "auth/token_set.h"
#include "common/slot_ring.h"
#include "common/worker_thread.h"

namespace upkeep {

// What a request is checked against: immutable once published.
struct Credentials {
  TokenSet tokens;
  JwtSettings jwt;  // jwt.secret empty: JWTs are not accepted
};

struct CredentialStoreOptions {
  std::string tokens_file;      // "" = no API tokens
  std::string jwt_secret_file;  // "" = no JWTs
  JwtSettings jwt;              // issuer, audience, role claim, leeway (its secret is ignored)
  std::chrono::milliseconds poll_interval{1000};
  // Also run on the watcher thread after each poll (AccessControl's lockout housekeeping).
  std::function<void()> on_poll;
};

// Loads the tokens file and the JWT secret, and publishes them to request threads through a
// SlotRing (lock-free for readers). A watcher thread stats both files every poll_interval and
// reloads one that changed (inode, size, mtime or ctime); RequestReload() (SIGHUP) reloads at once.
// Requests never stat or read anything. A file that fails to load at run time keeps the last
// good credentials and logs why (the line, for the tokens file); at start-up it is an error.
class CredentialStore {
 public:
  using Guard = SlotRing<Credentials>::Lease;

  explicit CredentialStore(CredentialStoreOptions options);
  ~CredentialStore();
  CredentialStore(const CredentialStore&) = delete;
  CredentialStore& operator=(const CredentialStore&) = delete;

  // The first load, on the caller's thread. Throws ConfigError for a malformed tokens file or
  // a JWT secret that is configured but missing, unreadable or empty. A tokens file that does
  // not exist (yet) is not an error: no tokens are accepted until it appears.
  void Load();
  // Starts the watcher thread (after Load()).
  void StartWatching();
  void Stop();
  // Asks the watcher to reload both files now, changed or not (SIGHUP). Returns at once.
  void RequestReload();

  // The current credentials; empty Guard before Load(). Lock-free.
  Guard Current() const { return published_.Acquire(); }

  const CredentialStoreOptions& options() const { return options_; }

 private:
  struct FileStamp {
    bool exists = false;
    dev_t device = 0;
    ino_t inode = 0;
    off_t size = 0;
    timespec mtime{};
    timespec ctime{};
    bool operator==(const FileStamp& other) const;
  };
  static FileStamp Stamp(const std::string& path);

  // Reloads what changed (everything when `force`) and publishes the result if anything did.
  // With `startup`, failures throw instead of keeping the last good value.
  void Refresh(bool force, bool startup);
  bool RefreshTokens(bool force, bool startup);
  bool RefreshJwtSecret(bool force, bool startup);
  void Poll();

  const CredentialStoreOptions options_;
  SlotRing<Credentials> published_;

  // Serialises Refresh() (Load() and the watcher), the one writer of published_, and guards
  // what it reads and keeps.
  std::mutex refresh_mutex_;
  TokenSet tokens_;
  std::string jwt_secret_;
  FileStamp tokens_stamp_;
  FileStamp jwt_stamp_;
  bool loaded_ = false;

  std::atomic<bool> reload_requested_{false};
  WorkerThread watcher_;  // last: stopped before the members its polls use go
};

}  // namespace upkeep
