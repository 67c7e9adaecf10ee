// The checks of `upkeep check-config` that need no git, in process against real files: tokens
// files, JWT secrets, TLS pairs made with the openssl CLI, SQLite and HTTP queues on
// 127.0.0.1, state directories.

#include "app/check_config_checks.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/support/daemon_process.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/sqlite_db.h"
#include "tests/support/tls_test_pki.h"

namespace upkeep {
namespace {

using std::chrono::milliseconds;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A port on 127.0.0.1 that nothing listens on: bound by the kernel's choice, then closed.
uint16_t ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  ::close(fd);
  return ntohs(address.sin_port);
}

constexpr const char* kTokenLine =
    "ci admin 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n";

TEST(CheckTokensFileTest, SkippedWithoutOne) {
  const CheckLine line = CheckTokensFile(AuthOptions{});
  EXPECT_EQ(line.status, CheckStatus::kSkipped);
  EXPECT_EQ(line.check, "tokens");
  EXPECT_EQ(line.detail, "no auth.tokens_file configured");
}

TEST(CheckTokensFileTest, CountsTheTokens) {
  const testing::TempDir dir;
  AuthOptions auth;
  auth.tokens_file = dir.Write("tokens", std::string("# upkeep tokens\n") + kTokenLine);
  ::chmod(auth.tokens_file.c_str(), 0600);
  const CheckLine line = CheckTokensFile(auth);
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_EQ(line.detail, auth.tokens_file + ": 1 token(s)");
}

TEST(CheckTokensFileTest, WarnsAboutAFileOthersCanRead) {
  const testing::TempDir dir;
  AuthOptions auth;
  auth.tokens_file = dir.Write("tokens", kTokenLine);
  ::chmod(auth.tokens_file.c_str(), 0644);
  const CheckLine line = CheckTokensFile(auth);
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "warning: mode 0644")) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "chmod 600 " + auth.tokens_file)) << line.detail;
}

TEST(CheckTokensFileTest, AMissingFileFails) {
  const testing::TempDir dir;
  AuthOptions auth;
  auth.tokens_file = dir.path() + "/none";
  const CheckLine line = CheckTokensFile(auth);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("auth.tokens_file: " + auth.tokens_file + " does not exist", 0), 0u)
      << line.detail;
}

TEST(CheckTokensFileTest, AMalformedFileFailsWithTheDaemonsMessage) {
  const testing::TempDir dir;
  AuthOptions auth;
  auth.tokens_file = dir.Write("tokens", "ci superuser abc\n");
  const CheckLine line = CheckTokensFile(auth);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("auth.tokens_file: " + auth.tokens_file + ": line 1", 0), 0u)
      << line.detail;
}

TEST(CheckTokensFileTest, ADirectoryFails) {
  const testing::TempDir dir;
  AuthOptions auth;
  auth.tokens_file = dir.path();
  const CheckLine line = CheckTokensFile(auth);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_TRUE(Contains(line.detail, "not a regular file")) << line.detail;
}

TEST(CheckJwtSecretTest, SkippedLoadedOrFailed) {
  EXPECT_EQ(CheckJwtSecret(AuthOptions{}).status, CheckStatus::kSkipped);
  const testing::TempDir dir;
  AuthOptions auth;
  auth.jwt.secret_file = dir.Write("jwt", std::string(40, 'k') + "\n");
  ::chmod(auth.jwt.secret_file.c_str(), 0600);
  CheckLine line = CheckJwtSecret(auth);
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_EQ(line.detail, auth.jwt.secret_file + ": a usable HS256 secret");

  auth.jwt.secret_file = dir.Write("short", "secret\n");
  line = CheckJwtSecret(auth);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("auth.jwt.secret_file: ", 0), 0u) << line.detail;

  auth.jwt.secret_file = dir.path() + "/none";
  line = CheckJwtSecret(auth);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_TRUE(Contains(line.detail, "No such file")) << line.detail;
}

class CheckTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::MakeTestPki(dir_);
    ASSERT_EQ(pki_.error, "");
    other_ = testing::MakeTestPki(other_dir_);
    ASSERT_EQ(other_.error, "");
  }
  testing::TempDir dir_;
  testing::TempDir other_dir_;
  testing::TestPki pki_;
  testing::TestPki other_;
};

TEST_F(CheckTlsTest, SkippedWithoutTls) {
  const CheckLine line = CheckTls(WebOptions{});
  EXPECT_EQ(line.status, CheckStatus::kSkipped);
  EXPECT_EQ(line.detail, "no web.tls configured (plain HTTP)");
}

TEST_F(CheckTlsTest, AMatchingPairPasses) {
  WebOptions web;
  web.tls = {pki_.cert_file, pki_.key_file};
  const CheckLine line = CheckTls(web);
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "load and match")) << line.detail;
}

TEST_F(CheckTlsTest, AKeyOfAnotherCertificateFails) {
  WebOptions web;
  web.tls = {pki_.cert_file, other_.key_file};
  const CheckLine line = CheckTls(web);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_TRUE(Contains(line.detail, "web.tls.key_file " + other_.key_file)) << line.detail;
}

TEST_F(CheckTlsTest, AMissingCertificateFails) {
  WebOptions web;
  web.tls = {dir_.path() + "/none.crt", pki_.key_file};
  const CheckLine line = CheckTls(web);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_TRUE(Contains(line.detail, "cannot load web.tls.cert_file " + dir_.path() + "/none.crt"))
      << line.detail;
}

TEST(CheckQueueTest, SkippedForNone) {
  const CheckLine line = CheckQueue(QueueOptions{});
  EXPECT_EQ(line.status, CheckStatus::kSkipped);
  EXPECT_EQ(line.detail, "queue.type none (no queue configured)");
}

TEST(CheckQueueTest, ProbesASqliteQueue) {
  const testing::TempDir dir;
  QueueOptions queue;
  queue.type = "sqlite";
  queue.sqlite.path = dir.path() + "/queue.db";
  testing::SqliteDb db(queue.sqlite.path);
  db.Exec(testing::kJobsSchema);
  db.Exec("INSERT INTO jobs (name, status) VALUES ('a', 'queued'), ('b', 'queued');");
  const CheckLine line = CheckQueue(queue);
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_EQ(line.detail.rfind("sqlite " + queue.sqlite.path + ": 2 waiting, 0 active (", 0), 0u)
      << line.detail;
}

TEST(CheckQueueTest, ProbesAnHttpQueueOnce) {
  testing::ScriptedHttpServer server;
  server.SetReply(
      {testing::ScriptedHttpServer::Response(200, "OK", R"({"depth": 3, "activeJobs": []})")});
  QueueOptions queue;
  queue.type = "http";
  queue.http.url = server.url("/queue");
  const CheckLine line = CheckQueue(queue);
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_EQ(line.detail.rfind("http " + queue.http.url + ": 3 waiting, 0 active (", 0), 0u)
      << line.detail;
  EXPECT_EQ(server.Requests().size(), 1u);
}

TEST(CheckQueueTest, AnUnreachableHttpQueueFails) {
  QueueOptions queue;
  queue.type = "http";
  queue.http.url = "http://127.0.0.1:" + std::to_string(ClosedPort()) + "/queue";
  const CheckLine line = CheckQueue(queue);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("GET " + queue.http.url + ": ", 0), 0u) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "(queue.timeout 1s)")) << line.detail;
}

TEST(CheckQueueTest, AProbeIsCutAtTheQueueTimeout) {
  testing::ScriptedHttpServer server;
  // Answers well, but long after queue.timeout.
  server.SetReply(
      {testing::ScriptedHttpServer::Response(200, "OK", R"({"depth": 0, "activeJobs": []})"),
       milliseconds(3000)});
  QueueOptions queue;
  queue.type = "http";
  queue.http.url = server.url("/queue");
  queue.timeout = milliseconds(200);
  const CheckLine line = CheckQueue(queue);
  EXPECT_EQ(line.status, CheckStatus::kFailed) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "(queue.timeout 200ms)")) << line.detail;
}

TEST(CheckQueueTest, ACommandQueueThatFailsIsReported) {
  QueueOptions queue;
  queue.type = "command";
  queue.command.run = "/bin/false";
  const CheckLine line = CheckQueue(queue);
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("command /bin/false: ", 0), 0u) << line.detail;
}

class CheckStateDirTest : public ::testing::Test {
 protected:
  UpdateOptions Update(const std::string& state_dir) const {
    UpdateOptions update;
    update.configured = true;
    update.repo = dir_.path() + "/repo";
    update.state_dir = state_dir;
    return update;
  }
  testing::TempDir dir_;
};

TEST_F(CheckStateDirTest, SkippedWithoutAnUpdateSection) {
  const CheckLine line = CheckUpdateStateDir(UpdateOptions{});
  EXPECT_EQ(line.status, CheckStatus::kSkipped);
  EXPECT_EQ(line.detail, "no update: section");
}

TEST_F(CheckStateDirTest, OneThatIsNotThereYetIsCreatedByTheDaemon) {
  const std::string state = dir_.path() + "/state";
  const CheckLine line = CheckUpdateStateDir(Update(state));
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "not there yet")) << line.detail;
  struct stat info {};
  EXPECT_NE(::stat(state.c_str(), &info), 0) << "check-config must not create it";
}

TEST_F(CheckStateDirTest, PrivateDirectoryPassesAnOpenOneFails) {
  const std::string state = dir_.path() + "/state";
  ASSERT_EQ(::mkdir(state.c_str(), 0700), 0);
  CheckLine line = CheckUpdateStateDir(Update(state));
  EXPECT_EQ(line.status, CheckStatus::kOk) << line.detail;
  EXPECT_EQ(line.detail, state);

  ASSERT_EQ(::chmod(state.c_str(), 0755), 0);
  line = CheckUpdateStateDir(Update(state));
  EXPECT_EQ(line.status, CheckStatus::kFailed);
  EXPECT_EQ(line.detail.rfind("update.state_dir: ", 0), 0u) << line.detail;
  EXPECT_TRUE(Contains(line.detail, "chmod 700")) << line.detail;
}

}  // namespace
}  // namespace upkeep
