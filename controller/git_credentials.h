#pragma once

#include <git2.h>

#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// What a fetch may authenticate with, and how the server is verified.
struct GitCredentialConfig {
  std::string ssh_key_file;     // a private key; empty: ssh-agent
  std::string ssh_known_hosts;  // empty: libgit2 reads ~/.ssh/known_hosts of the user
  std::string https_token;      // the password for https; empty: none
  int max_attempts = 3;         // credential requests before giving up
};

// The payload of the callbacks below: the config and what happened so far in one fetch.
struct GitCredentialState {
  const GitCredentialConfig* config = nullptr;
  std::string url;  // the remote's URL, for the SSH port
  int attempts = 0;
};

// git_credential_acquire_cb: a user name when libgit2 asks for one, an SSH key (the file, else
// the agent), or the https token. libgit2 calls again after a rejected credential, so after
// max_attempts it fails the fetch instead of looping with a key the server refuses.
int AcquireGitCredential(git_credential** out, const char* url, const char* username_from_url,
                         unsigned int allowed_types, void* payload);

// git_transport_certificate_check_cb. Returns GIT_PASSTHROUGH (libgit2 decides: the TLS
// verification, or the user's known_hosts for SSH) unless a known_hosts file is configured, in
// which case an SSH host key is checked against it: 0 when it is listed for the host, else an
// error. Never 0 for a key it has not verified.
int CheckGitCertificate(git_cert* cert, int valid, const char* host, void* payload);

// Checks an SSH host key (the raw key blob, as in a known_hosts line after base64 decoding)
// against an OpenSSH known_hosts file: plain, "[host]:port" and hashed entries.
Status VerifyKnownHost(const std::string& known_hosts_file, const std::string& host, int port,
                       std::string_view raw_key);

// The port of an SSH URL: "ssh://host:2222/x" gives 2222; scp-like syntax and no port give 22.
int SshPort(std::string_view url);

}  // namespace upkeep
