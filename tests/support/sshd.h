#pragma once

// A real OpenSSH server (Debian's openssh-server, /usr/sbin/sshd) for the SSH transport tests:
// on 127.0.0.1 and a free port, with its own config, host key and authorized key in a temp dir.
// It logs in the current user (root in CI) by key only, and runs git-upload-pack from PATH, so
// any repository that user can read is ssh://USER@127.0.0.1:PORT/<absolute path>.
//
// Key types: Debian 12's libssh2 1.10 (under libgit2 1.5.1) authenticates with ed25519 and ECDSA
// keys. An RSA key fails against OpenSSH 9.2: libssh2 1.10 signs with ssh-rsa (SHA-1), which
// sshd no longer accepts ("signature algorithm ssh-rsa not in PubkeyAcceptedAlgorithms").

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep::testing {

class Sshd {
 public:
  // client_key_type: an ssh-keygen -t type ("ed25519", "ecdsa") for the authorized client key.
  explicit Sshd(const std::string& client_key_type = "ed25519");
  ~Sshd();
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  bool started() const { return started_; }
  uint16_t port() const { return port_; }
  // The user the server logs in (the current one).
  const std::string& user() const { return user_; }
  // ssh://USER@127.0.0.1:PORT<absolute_path>
  std::string Url(const std::string& absolute_path) const;

  // The private key whose public half is authorized.
  std::string client_key() const { return dir_.path() + "/client_key"; }
  // A known_hosts file listing this server's host key for "[127.0.0.1]:PORT".
  std::string known_hosts() const { return dir_.path() + "/known_hosts"; }
  // That file's one line: "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
  std::string KnownHostsLine() const;
  // A known_hosts line for "[127.0.0.1]:PORT" with a key of the same type that is not this
  // server's: what a client sees after the server's key changed, or a man in the middle.
  std::string ForeignKnownHostsLine() const;

  // A new key pair (ssh-keygen -t type) that the server does not authorize; returns the private
  // key's path.
  std::string MakeUnauthorizedKey(const std::string& name,
                                  const std::string& type = "ed25519") const;

  // Everything sshd logged so far (-e: its log goes to stderr, LogLevel VERBOSE: every key
  // offered and refused).
  std::string Log() const;

 private:
  TempDir dir_;
  std::string user_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  bool started_ = false;
};

}  // namespace upkeep::testing
