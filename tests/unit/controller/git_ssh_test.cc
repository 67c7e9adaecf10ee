#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "controller/git_facts.h"
#include "tests/support/git_repos.h"
#include "tests/support/sshd.h"

namespace upkeep {
namespace {

using testing::Git;
using testing::GitRepos;
using testing::Sshd;

int Occurrences(const std::string& text, const std::string& what) {
  int count = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++count;
  }
  return count;
}

std::string KeyTypeName(const ::testing::TestParamInfo<std::string>& key_type) {
  return key_type.param;
}

// The remote served by a real OpenSSH server on 127.0.0.1, fetched in-process (the check the
// git helper runs) with the server's key pinned in a known_hosts file of the test's own.
class GitSshTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ASSERT_TRUE(sshd_.started());
    Git(repos_.service(), {"remote", "set-url", "origin", url_});
    request_.repo = repos_.service();
    request_.fetch = true;
    request_.credentials.ssh_key_file = sshd_.client_key();
    request_.credentials.ssh_known_hosts = sshd_.known_hosts();
  }

  // Whatever the server logged, on a test failure.
  std::string ServerLog() const { return "sshd log:\n" + sshd_.Log(); }

  GitRepos repos_;
  Sshd sshd_{GetParam()};
  const std::string url_ = sshd_.Url(repos_.remote());
  GitCheckRequest request_;
};

// The client key types Debian 12's libssh2 (1.10) can authenticate with against OpenSSH 9.2.
INSTANTIATE_TEST_SUITE_P(KeyTypes, GitSshTest, ::testing::Values("ed25519", "ecdsa"), KeyTypeName);

TEST_P(GitSshTest, TheAuthorizedKeyFetches) {
  repos_.PushCommits(2);
  repos_.Tag(repos_.pusher(), "v1.1.0");
  repos_.Push();
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_TRUE(facts.ok()) << facts.error().message << "\n" << ServerLog();
  EXPECT_TRUE(facts->fetched);
  EXPECT_FALSE(facts->insecure_transport);
  EXPECT_EQ(facts->commits_behind, 2u);
  EXPECT_EQ(facts->latest_revision, repos_.Head(repos_.pusher()));
  EXPECT_EQ(facts->latest_version, "v1.1.0");
  EXPECT_EQ(facts->changelog, (std::vector<std::string>{"Change 2", "Change 1"}));
  EXPECT_EQ(Occurrences(sshd_.Log(), "Accepted publickey for " + sshd_.user()), 1) << ServerLog();
}

TEST_P(GitSshTest, AnUnauthorizedKeyFailsAfterTheCappedAttempts) {
  request_.credentials.ssh_key_file = sshd_.MakeUnauthorizedKey("stranger", GetParam());
  repos_.PushCommits(1);
  const auto start = std::chrono::steady_clock::now();
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("refused 3 credentials"), std::string::npos)
      << facts.error().message << "\n"
      << ServerLog();
  // Not a loop with a key the server refuses: generous, it takes well under a second.
  EXPECT_LT(took, std::chrono::seconds(30));
  // The server saw exactly the capped number of tries (it would allow 30), and none passed.
  const std::string log = sshd_.Log();
  EXPECT_EQ(Occurrences(log, "Failed publickey for " + sshd_.user()), 3) << ServerLog();
  EXPECT_EQ(Occurrences(log, "Accepted publickey"), 0) << ServerLog();
  EXPECT_EQ(Git(repos_.service(), {"rev-parse", "origin/main"}), repos_.Head(repos_.service()));
}

TEST_P(GitSshTest, TheCapIsTheConfiguredOne) {
  request_.credentials.ssh_key_file = sshd_.MakeUnauthorizedKey("stranger", GetParam());
  request_.credentials.max_attempts = 1;
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("refused 1 credentials"), std::string::npos)
      << facts.error().message;
  EXPECT_EQ(Occurrences(sshd_.Log(), "Failed publickey for " + sshd_.user()), 1) << ServerLog();
}

TEST_P(GitSshTest, AChangedHostKeyIsRefusedBeforeAnyKeyIsOffered) {
  std::ofstream(request_.credentials.ssh_known_hosts, std::ios::trunc)
      << sshd_.ForeignKnownHostsLine() << "\n";
  repos_.PushCommits(1);
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("host key of 127.0.0.1 does not match"), std::string::npos)
      << facts.error().message;
  EXPECT_EQ(Occurrences(sshd_.Log(), "publickey"), 0) << ServerLog();
  EXPECT_EQ(Git(repos_.service(), {"rev-parse", "origin/main"}), repos_.Head(repos_.service()));
}

TEST_P(GitSshTest, AHostMissingFromTheKnownHostsFileIsRefused) {
  std::ofstream(request_.credentials.ssh_known_hosts, std::ios::trunc) << "";
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("SSH host 127.0.0.1 is not in " +
                                       request_.credentials.ssh_known_hosts),
            std::string::npos)
      << facts.error().message;
  EXPECT_NE(facts.error().message.find("unknown hosts are refused"), std::string::npos);
  EXPECT_EQ(Occurrences(sshd_.Log(), "publickey"), 0) << ServerLog();
}

// With no known_hosts file configured, libgit2 checks the host against the user's own
// ~/.ssh/known_hosts: here the test process's isolated HOME (see IsolateGitEnvironment),
// which libgit2 read when it was initialised.
class GitSshUserKnownHostsTest : public GitSshTest {
 protected:
  void SetUp() override {
    GitSshTest::SetUp();
    request_.credentials.ssh_known_hosts.clear();
    const char* home = std::getenv("HOME");
    ASSERT_NE(home, nullptr);
    ssh_dir_ = std::string(home) + "/.ssh";
    std::filesystem::remove_all(ssh_dir_);
  }
  void TearDown() override { std::filesystem::remove_all(ssh_dir_); }

  void WriteUserKnownHosts(const std::string& text) {
    std::filesystem::create_directories(ssh_dir_);
    std::ofstream(ssh_dir_ + "/known_hosts", std::ios::trunc) << text;
  }

  std::string ssh_dir_;
};

INSTANTIATE_TEST_SUITE_P(KeyTypes, GitSshUserKnownHostsTest, ::testing::Values("ed25519"),
                         KeyTypeName);

TEST_P(GitSshUserKnownHostsTest, AreConsulted) {
  repos_.PushCommits(1);
  WriteUserKnownHosts(sshd_.KnownHostsLine() + "\n");
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_TRUE(facts.ok()) << facts.error().message << "\n" << ServerLog();
  EXPECT_EQ(facts->commits_behind, 1u);
}

TEST_P(GitSshUserKnownHostsTest, NoFileRefusesTheHost) {
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("unknown remote ssh hostkey"), std::string::npos)
      << facts.error().message;
  EXPECT_EQ(Occurrences(sshd_.Log(), "publickey"), 0) << ServerLog();
}

TEST_P(GitSshUserKnownHostsTest, AnEmptyFileRefusesTheHost) {
  WriteUserKnownHosts("");
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("unknown remote ssh hostkey"), std::string::npos)
      << facts.error().message;
}

TEST_P(GitSshUserKnownHostsTest, AnotherKeyForTheHostIsRefused) {
  WriteUserKnownHosts(sshd_.ForeignKnownHostsLine() + "\n");
  CheckResult<GitFacts> facts = CheckGitCheckout(request_);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kFetchFailed);
  EXPECT_NE(facts.error().message.find("unknown remote ssh hostkey"), std::string::npos)
      << facts.error().message;
  EXPECT_EQ(Occurrences(sshd_.Log(), "publickey"), 0) << ServerLog();
}

}  // namespace
}  // namespace upkeep
