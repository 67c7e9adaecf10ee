#include "controller/git_credentials.h"

#include <git2/sys/credential.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "controller/git_library.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

std::string Base64Decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const size_t value = kAlphabet.find(c);
    if (value == std::string::npos) continue;  // '=' padding
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A host key made by ssh-keygen: its public line's type and base64 blob.
struct HostKey {
  std::string type;
  std::string base64;
  std::string raw() const { return Base64Decode(base64); }
};

HostKey MakeHostKey(const testing::TempDir& dir, const std::string& name) {
  const std::string path = dir.path() + "/" + name;
  const testing::CommandResult made =
      testing::RunCommand({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path});
  EXPECT_EQ(made.exit_status, 0) << made.output;
  std::istringstream line(ReadFile(path + ".pub"));
  HostKey key;
  line >> key.type >> key.base64;
  return key;
}

class GitCredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(GitLibrary::Init().ok()); }

  int Acquire(unsigned int allowed, const char* url = "ssh://git@host/x",
              const char* user = "git") {
    git_credential* raw = nullptr;
    const int rc = AcquireGitCredential(&raw, url, user, allowed, &state_);
    credential_.reset(raw);
    return rc;
  }

  GitCredentialConfig config_;
  GitCredentialState state_{&config_, "ssh://git@host/x", 0};
  std::unique_ptr<git_credential, decltype(&git_credential_free)> credential_{nullptr,
                                                                              &git_credential_free};
};

TEST_F(GitCredentialsTest, AUserNameWhenAsked) {
  ASSERT_EQ(Acquire(GIT_CREDENTIAL_USERNAME, "ssh://host/x", nullptr), 0);
  EXPECT_EQ(credential_->credtype, GIT_CREDENTIAL_USERNAME);
  EXPECT_STREQ(git_credential_get_username(credential_.get()), "git");
  EXPECT_EQ(state_.attempts, 0);
}

TEST_F(GitCredentialsTest, TheKeyFileElseTheAgent) {
  config_.ssh_key_file = "/etc/upkeep/deploy_key";
  ASSERT_EQ(Acquire(GIT_CREDENTIAL_SSH_KEY | GIT_CREDENTIAL_USERPASS_PLAINTEXT), 0);
  EXPECT_EQ(credential_->credtype, GIT_CREDENTIAL_SSH_KEY);
  EXPECT_STREQ(git_credential_get_username(credential_.get()), "git");
  config_.ssh_key_file.clear();
  ASSERT_EQ(Acquire(GIT_CREDENTIAL_SSH_KEY), 0);
  EXPECT_EQ(credential_->credtype, GIT_CREDENTIAL_SSH_KEY);
}

TEST_F(GitCredentialsTest, TheTokenForHttps) {
  config_.https_token = "t0ken";
  state_.url = "https://host/x.git";
  ASSERT_EQ(Acquire(GIT_CREDENTIAL_USERPASS_PLAINTEXT, "https://host/x.git", nullptr), 0);
  EXPECT_EQ(credential_->credtype, GIT_CREDENTIAL_USERPASS_PLAINTEXT);
  EXPECT_STREQ(git_credential_get_username(credential_.get()), "x-access-token");
  ASSERT_EQ(Acquire(GIT_CREDENTIAL_USERPASS_PLAINTEXT, "https://me@host/x.git", "me"), 0);
  EXPECT_STREQ(git_credential_get_username(credential_.get()), "me");
}

TEST_F(GitCredentialsTest, NothingConfiguredForWhatIsAsked) {
  EXPECT_EQ(Acquire(GIT_CREDENTIAL_USERPASS_PLAINTEXT, "https://host/x", nullptr), GIT_EAUTH);
  EXPECT_EQ(credential_, nullptr);
  EXPECT_NE(GitErrorText(GIT_EAUTH).find("none are configured"), std::string::npos);
}

TEST_F(GitCredentialsTest, GivesUpAfterTheCappedAttempts) {
  config_.max_attempts = 3;
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Acquire(GIT_CREDENTIAL_SSH_KEY), 0);
  EXPECT_EQ(Acquire(GIT_CREDENTIAL_SSH_KEY), GIT_EAUTH);
  EXPECT_NE(GitErrorText(GIT_EAUTH).find("refused 3 credentials"), std::string::npos);
}

class KnownHostsTest : public GitCredentialsTest {
 protected:
  void SetUp() override {
    GitCredentialsTest::SetUp();
    key_ = MakeHostKey(dir_, "host_key");
    other_ = MakeHostKey(dir_, "other_key");
    known_hosts_ = dir_.Write("known_hosts",
                              "# a comment\n"
                              "127.0.0.1 " +
                                  key_.type + " " + key_.base64 +
                                  "\n"
                                  "[127.0.0.1]:2222 " +
                                  other_.type + " " + other_.base64 + "\n");
  }

  int CheckHostKey(const HostKey& key, const std::string& url) {
    const std::string raw = key.raw();
    git_cert_hostkey cert{};
    cert.parent.cert_type = GIT_CERT_HOSTKEY_LIBSSH2;
    cert.type = GIT_CERT_SSH_RAW;
    cert.raw_type = GIT_CERT_SSH_RAW_TYPE_KEY_ED25519;
    cert.hostkey = raw.data();
    cert.hostkey_len = raw.size();
    state_.url = url;
    return CheckGitCertificate(&cert.parent, 0, "127.0.0.1", &state_);
  }

  testing::TempDir dir_;
  HostKey key_;
  HostKey other_;
  std::string known_hosts_;
};

TEST_F(KnownHostsTest, AListedKeyMatchesForItsHostAndPort) {
  EXPECT_TRUE(VerifyKnownHost(known_hosts_, "127.0.0.1", 22, key_.raw()).ok());
  EXPECT_TRUE(VerifyKnownHost(known_hosts_, "127.0.0.1", 2222, other_.raw()).ok());
}

TEST_F(KnownHostsTest, AnotherKeyOrAnUnknownHostIsRefused) {
  Status mismatch = VerifyKnownHost(known_hosts_, "127.0.0.1", 22, other_.raw());
  ASSERT_FALSE(mismatch.ok());
  EXPECT_NE(mismatch.error().find("does not match"), std::string::npos) << mismatch.error();
  Status unknown = VerifyKnownHost(known_hosts_, "10.1.2.3", 22, key_.raw());
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.error().find("unknown hosts are refused"), std::string::npos);
  EXPECT_FALSE(VerifyKnownHost(dir_.path() + "/none", "127.0.0.1", 22, key_.raw()).ok());
}

TEST_F(KnownHostsTest, HashedEntriesMatchToo) {
  const std::string hashed =
      dir_.Write("hashed", "127.0.0.1 " + key_.type + " " + key_.base64 + "\n");
  const testing::CommandResult rc = testing::RunCommand({"ssh-keygen", "-q", "-H", "-f", hashed});
  ASSERT_EQ(rc.exit_status, 0) << rc.output;
  ASSERT_EQ(ReadFile(hashed).rfind("|1|", 0), 0u) << ReadFile(hashed);
  EXPECT_TRUE(VerifyKnownHost(hashed, "127.0.0.1", 22, key_.raw()).ok());
  EXPECT_FALSE(VerifyKnownHost(hashed, "127.0.0.1", 22, other_.raw()).ok());
}

TEST_F(KnownHostsTest, TheCertificateCallbackVerifiesOnlyWithAFile) {
  // No file configured: libgit2 decides (its own known_hosts check, or TLS verification).
  EXPECT_EQ(CheckHostKey(key_, "ssh://git@127.0.0.1/x"), GIT_PASSTHROUGH);
  git_cert x509{GIT_CERT_X509};
  config_.ssh_known_hosts = known_hosts_;
  EXPECT_EQ(CheckGitCertificate(&x509, 1, "host", &state_), GIT_PASSTHROUGH);
  EXPECT_EQ(CheckHostKey(key_, "ssh://git@127.0.0.1/x"), 0);
  EXPECT_EQ(CheckHostKey(other_, "ssh://git@127.0.0.1:2222/x"), 0);
  EXPECT_EQ(CheckHostKey(other_, "git@127.0.0.1:x"), GIT_ECERTIFICATE);
  EXPECT_NE(GitErrorText(GIT_ECERTIFICATE).find("does not match"), std::string::npos);
  git_cert_hostkey hashes_only{};
  hashes_only.parent.cert_type = GIT_CERT_HOSTKEY_LIBSSH2;
  hashes_only.type = GIT_CERT_SSH_SHA256;
  EXPECT_EQ(CheckGitCertificate(&hashes_only.parent, 0, "127.0.0.1", &state_), GIT_ECERTIFICATE);
}

}  // namespace
}  // namespace upkeep
