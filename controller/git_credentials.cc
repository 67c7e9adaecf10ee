#include "controller/git_credentials.h"

#include <libssh2.h>

#include <charconv>
#include <memory>

#include "controller/remote_url.h"

namespace upkeep {
namespace {

int Fail(const std::string& message) {
  git_error_set_str(GIT_ERROR_CALLBACK, message.c_str());
  return GIT_EAUTH;
}

}  // namespace

int AcquireGitCredential(git_credential** out, const char* url, const char* username_from_url,
                         unsigned int allowed_types, void* payload) {
  auto* state = static_cast<GitCredentialState*>(payload);
  const GitCredentialConfig& config = *state->config;
  const bool ssh = TransportScheme(url == nullptr ? "" : url) == "ssh";
  const std::string user = username_from_url != nullptr && username_from_url[0] != '\0'
                               ? username_from_url
                               : (ssh ? "git" : "x-access-token");
  // Asking for the user name is no attempt at authentication: it does not count.
  if ((allowed_types & GIT_CREDENTIAL_USERNAME) != 0) {
    return git_credential_username_new(out, user.c_str());
  }
  if (++state->attempts > config.max_attempts) {
    return Fail("authentication failed: the remote refused " + std::to_string(config.max_attempts) +
                " credentials");
  }
  if ((allowed_types & GIT_CREDENTIAL_SSH_KEY) != 0) {
    if (!config.ssh_key_file.empty()) {
      return git_credential_ssh_key_new(out, user.c_str(), nullptr, config.ssh_key_file.c_str(),
                                        nullptr);
    }
    return git_credential_ssh_key_from_agent(out, user.c_str());
  }
  if ((allowed_types & GIT_CREDENTIAL_USERPASS_PLAINTEXT) != 0 && !config.https_token.empty()) {
    return git_credential_userpass_plaintext_new(out, user.c_str(), config.https_token.c_str());
  }
  return Fail("the remote asks for credentials and none are configured for them");
}

int CheckGitCertificate(git_cert* cert, int /*valid*/, const char* host, void* payload) {
  auto* state = static_cast<GitCredentialState*>(payload);
  const GitCredentialConfig& config = *state->config;
  if (cert == nullptr || cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2 ||
      config.ssh_known_hosts.empty()) {
    return GIT_PASSTHROUGH;
  }
  const auto* key = reinterpret_cast<const git_cert_hostkey*>(cert);
  if ((key->type & GIT_CERT_SSH_RAW) == 0 || key->hostkey == nullptr) {
    git_error_set_str(GIT_ERROR_SSH, "the SSH host key of the remote is not available");
    return GIT_ECERTIFICATE;
  }
  Status verified = VerifyKnownHost(config.ssh_known_hosts, host == nullptr ? "" : host,
                                    SshPort(state->url), {key->hostkey, key->hostkey_len});
  if (!verified.ok()) {
    git_error_set_str(GIT_ERROR_SSH, verified.error().c_str());
    return GIT_ECERTIFICATE;
  }
  return 0;
}

Status VerifyKnownHost(const std::string& known_hosts_file, const std::string& host, int port,
                       std::string_view raw_key) {
  // libssh2's known-hosts store needs a session for its allocator; one that never connects.
  std::unique_ptr<LIBSSH2_SESSION, decltype(&libssh2_session_free)> session(libssh2_session_init(),
                                                                            &libssh2_session_free);
  if (!session) return MakeError("cannot set up an SSH session to check the host key");
  std::unique_ptr<LIBSSH2_KNOWNHOSTS, decltype(&libssh2_knownhost_free)> hosts(
      libssh2_knownhost_init(session.get()), &libssh2_knownhost_free);
  if (!hosts) return MakeError("cannot set up a known hosts store");
  if (libssh2_knownhost_readfile(hosts.get(), known_hosts_file.c_str(),
                                 LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
    return MakeError("cannot read known hosts file " + known_hosts_file);
  }
  const int check = libssh2_knownhost_checkp(
      hosts.get(), host.c_str(), port, raw_key.data(), raw_key.size(),
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW, nullptr);
  switch (check) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
      return OkStatus();
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      return MakeError("the SSH host key of " + host + " does not match " + known_hosts_file +
                       ": refused");
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      return MakeError("the SSH host " + host + " is not in " + known_hosts_file +
                       ": unknown hosts are refused");
    default:
      return MakeError("cannot check the SSH host key of " + host + " against " + known_hosts_file);
  }
}

int SshPort(std::string_view url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return 22;
  const size_t authority = scheme_end + 3;
  size_t end = url.find('/', authority);
  if (end == std::string_view::npos) end = url.size();
  std::string_view host_port = url.substr(authority, end - authority);
  const size_t at = host_port.rfind('@');
  if (at != std::string_view::npos) host_port.remove_prefix(at + 1);
  const size_t bracket = host_port.rfind(']');
  const size_t colon = host_port.rfind(':');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket)) {
    return 22;
  }
  int port = 0;
  const std::string_view digits = host_port.substr(colon + 1);
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || port <= 0 || port > 65535) {
    return 22;
  }
  return port;
}

}  // namespace upkeep
