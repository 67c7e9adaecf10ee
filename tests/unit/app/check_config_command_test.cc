// `upkeep check-config` through the real binary, as an admin runs it on a deployed host: real
// files, a TLS pair made with the openssl CLI, an HTTP queue on 127.0.0.1, the service's
// checkout owned by uid 65534 (git runs as its owner, through the daemon's helper). A good
// setup passes every check; each kind of breakage fails its own line while the rest still
// print. Also `upkeep --version`.

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/api_tokens.h"
#include "tests/support/daemon_process.h"
#include "tests/support/git_repos.h"
#include "tests/support/scripted_http_server.h"
#include "tests/support/tls_test_pki.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kServiceUid = 65534;  // Debian's nobody:nogroup
constexpr gid_t kServiceGid = 65534;
const std::vector<std::string> kChecks = {"config", "tokens",    "jwt", "tls",
                                          "queue",  "state_dir", "repo"};

void ChownTree(const std::string& root, uid_t uid, gid_t gid) {
  ASSERT_EQ(::lchown(root.c_str(), uid, gid), 0) << root;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(root)) {
    ASSERT_EQ(::lchown(entry.path().c_str(), uid, gid), 0) << entry.path();
  }
}

// Every directory from / down to `path` lets others through, and `path` lets them execute it.
bool OthersCanExecute(const fs::path& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) return false;
  for (fs::path dir = path.parent_path(); !dir.empty(); dir = dir.parent_path()) {
    if (::stat(dir.c_str(), &info) != 0 || (info.st_mode & S_IXOTH) == 0) return false;
    if (dir == dir.root_path()) break;
  }
  return true;
}

// The upkeep binary where uid 65534 can run it as the git helper (it runs itself): in place
// when the build tree lets others in, else a copy in a directory of mode 0755.
const std::string& UpkeepForOthers() {
  static const testing::TempDir copy_dir;
  static const std::string binary = [] {
    if (OthersCanExecute(UPKEEP_BINARY)) return std::string(UPKEEP_BINARY);
    const fs::path copy = fs::path(copy_dir.path()) / "upkeep";
    fs::copy_file(UPKEEP_BINARY, copy);
    fs::permissions(copy_dir.path(), fs::perms(0755));
    fs::permissions(copy, fs::perms(0755));
    return copy.string();
  }();
  return binary;
}

struct CommandRun {
  int status = -1;
  std::string out;  // stdout alone: the check lines
  std::string err;
};

// Runs `upkeep ARGS` with stdout and stderr kept apart.
CommandRun Upkeep(const std::vector<std::string>& args) {
  const testing::TempDir dir;
  const std::string err_path = dir.path() + "/err";
  std::vector<std::string> argv = {"/bin/sh", "-c",     "err=$1; shift; exec \"$@\" 2>\"$err\"",
                                   "sh",      err_path, UpkeepForOthers()};
  argv.insert(argv.end(), args.begin(), args.end());
  const testing::CommandResult result = testing::RunCommand(argv);
  std::ostringstream err;
  err << std::ifstream(err_path).rdbuf();
  return {result.exit_status, result.output, err.str()};
}

struct ReportLine {
  std::string status;
  std::string check;
  std::string detail;
};

// The check lines in order; a line that is not "STATUS CHECK DETAIL" fails the test.
std::vector<ReportLine> ReportLines(const std::string& out) {
  static const std::regex kLine(R"(^(ok|FAILED|skipped) +([a-z_]+) +(.*)$)");
  std::vector<ReportLine> lines;
  std::istringstream in(out);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch match;
    if (!std::regex_match(text, match, kLine)) {
      ADD_FAILURE() << "not a check line: " << text;
      continue;
    }
    lines.push_back({match[1], match[2], match[3]});
  }
  return lines;
}

class CheckConfigCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::IsolateGitEnvironment();
    if (::geteuid() != 0) {
      GTEST_SKIP() << "needs root: the checkout is uid 65534's, as on a deployed host";
    }
    // mkdtemp made the roots 0700: uid 65534 must get through to the repositories.
    fs::permissions(repos_.root(), fs::perms(0755));
    ChownTree(repos_.service(), kServiceUid, kServiceGid);
    ChownTree(repos_.remote(), kServiceUid, kServiceGid);
    ASSERT_NE(testing::CreateToken(dir_.path() + "/tokens", "admin", "admin"), "");
    const std::string secret = dir_.Write("jwt.secret", std::string(40, 's') + "\n");
    ::chmod(secret.c_str(), 0600);
    pki_ = testing::MakeTestPki(pki_dir_);
    ASSERT_EQ(pki_.error, "");
    queue_.SetReply(
        {testing::ScriptedHttpServer::Response(200, "OK", R"({"depth": 0, "activeJobs": []})")});
    ASSERT_EQ(::mkdir(state_dir().c_str(), 0700), 0);
    settings_ = {{"tokens", dir_.path() + "/tokens"},
                 {"secret", secret},
                 {"cert", pki_.cert_file},
                 {"key", pki_.key_file},
                 {"queue", queue_.url("/queue")},
                 {"branch", "main"}};
  }

  std::string state_dir() const { return dir_.path() + "/state"; }

  // The config of a host where everything is in order, with settings_ as changed by the test.
  std::string WriteConfig() const {
    const auto& s = settings_;
    return dir_.Write(
        "upkeep.yaml",
        "web:\n  tls:\n    cert_file: " + s.at("cert") + "\n    key_file: " + s.at("key") +
            "\nauth:\n  tokens_file: " + s.at("tokens") + "\n  jwt:\n    secret_file: " +
            s.at("secret") + "\nqueue:\n  type: http\n  http:\n    url: " + s.at("queue") +
            "\nupdate:\n  repo: " + repos_.service() + "\n  branch: " + s.at("branch") +
            "\n  check_interval: 0\n  state_dir: " + state_dir() + "\n");
  }

  CommandRun CheckConfig() const { return Upkeep({"check-config", "--config", WriteConfig()}); }

  // Every check has its line, in order; `failed` are FAILED, the rest ok. Returns the lines.
  std::map<std::string, std::string> ExpectOnlyFailed(const CommandRun& run,
                                                      const std::vector<std::string>& failed) {
    EXPECT_EQ(run.status, failed.empty() ? 0 : 2) << run.out << run.err;
    const std::vector<ReportLine> lines = ReportLines(run.out);
    std::vector<std::string> checks;
    std::map<std::string, std::string> details;
    for (const ReportLine& line : lines) {
      checks.push_back(line.check);
      details[line.check] = line.detail;
      const bool should_fail = std::find(failed.begin(), failed.end(), line.check) != failed.end();
      EXPECT_EQ(line.status, should_fail ? "FAILED" : "ok") << line.check << ": " << line.detail;
    }
    EXPECT_EQ(checks, kChecks) << run.out;
    return details;
  }

  testing::TempDir dir_;
  testing::TempDir pki_dir_;
  testing::GitRepos repos_;
  testing::TestPki pki_;
  testing::ScriptedHttpServer queue_;
  std::map<std::string, std::string> settings_;
};

TEST_F(CheckConfigCommandTest, AGoodHostPassesEveryCheck) {
  const CommandRun run = CheckConfig();
  const auto details = ExpectOnlyFailed(run, {});
  EXPECT_EQ(details.at("config"), dir_.path() + "/upkeep.yaml");
  EXPECT_EQ(details.at("tokens"), dir_.path() + "/tokens: 1 token(s)");
  EXPECT_NE(details.at("repo").find(" (uid 65534): HEAD main at "), std::string::npos)
      << details.at("repo");
  EXPECT_EQ(run.err, "upkeep check-config: OK (7 ok, 0 skipped)\n");
  // Nothing was fetched, created or changed: the helper only read the checkout.
  EXPECT_EQ(queue_.Requests().size(), 1u);
}

TEST_F(CheckConfigCommandTest, AMissingTokensFileFailsItsLineOnly) {
  settings_["tokens"] = dir_.path() + "/no-tokens";
  const auto details = ExpectOnlyFailed(CheckConfig(), {"tokens"});
  EXPECT_EQ(details.at("tokens").rfind("auth.tokens_file: " + dir_.path() + "/no-tokens", 0), 0u)
      << details.at("tokens");
}

TEST_F(CheckConfigCommandTest, AKeyThatIsNotTheCertificatesFailsTls) {
  const testing::TempDir other_dir;
  const testing::TestPki other = testing::MakeTestPki(other_dir);
  ASSERT_EQ(other.error, "");
  settings_["key"] = other.key_file;
  const auto details = ExpectOnlyFailed(CheckConfig(), {"tls"});
  EXPECT_NE(details.at("tls").find("web.tls.key_file " + other.key_file), std::string::npos)
      << details.at("tls");
}

TEST_F(CheckConfigCommandTest, AnUnreachableQueueFailsTheQueue) {
  std::string url;
  {
    const testing::ScriptedHttpServer gone;
    url = gone.url("/queue");
  }  // its port is closed again: nothing listens there now
  settings_["queue"] = url;
  const auto details = ExpectOnlyFailed(CheckConfig(), {"queue"});
  EXPECT_EQ(details.at("queue").rfind("GET " + url + ": ", 0), 0u) << details.at("queue");
}

TEST_F(CheckConfigCommandTest, ABranchThatWasNeverFetchedFailsTheRepo) {
  settings_["branch"] = "release";
  const auto details = ExpectOnlyFailed(CheckConfig(), {"repo"});
  EXPECT_EQ(details.at("repo").rfind("remote_unavailable: ", 0), 0u) << details.at("repo");
  EXPECT_NE(details.at("repo").find("refs/remotes/origin/release"), std::string::npos);
}

TEST_F(CheckConfigCommandTest, ACheckoutOwnedByRootFailsTheRepo) {
  // Handed back to root by mistake (a `git pull` with sudo, say): git work would run as root.
  ChownTree(repos_.service(), 0, 0);
  const auto details = ExpectOnlyFailed(CheckConfig(), {"repo"});
  EXPECT_EQ(details.at("repo").rfind("repo_permission: ", 0), 0u) << details.at("repo");
  EXPECT_NE(details.at("repo").find("is owned by root"), std::string::npos);
}

TEST_F(CheckConfigCommandTest, ACheckoutTheUpdateUserMayNotOpenFailsTheRepo) {
  ChownTree(repos_.service(), 0, 0);
  // update.user from the flag, over the file, as the daemon takes it: nobody, on root's checkout.
  const CommandRun run =
      Upkeep({"check-config", "--config", WriteConfig(), "--update.user", "nobody"});
  const auto details = ExpectOnlyFailed(run, {"repo"});
  EXPECT_EQ(details.at("repo").rfind("repo_permission: ", 0), 0u) << details.at("repo");
}

TEST_F(CheckConfigCommandTest, SeveralFailuresAreAllReported) {
  settings_["tokens"] = dir_.path() + "/no-tokens";
  settings_["branch"] = "release";
  const CommandRun run = CheckConfig();
  ExpectOnlyFailed(run, {"tokens", "repo"});
  EXPECT_EQ(run.err, "upkeep check-config: 2 of 7 checks FAILED\n");
}

TEST_F(CheckConfigCommandTest, AConfigThatDoesNotLoadSkipsTheRest) {
  const std::string config = dir_.Write("bad.yaml", "web:\n  listen_adress: \":1\"\n");
  const CommandRun run = Upkeep({"check-config", "--config", config});
  EXPECT_EQ(run.status, 2);
  const std::vector<ReportLine> lines = ReportLines(run.out);
  ASSERT_EQ(lines.size(), kChecks.size()) << run.out;
  EXPECT_EQ(lines[0].status, "FAILED");
  EXPECT_EQ(lines[0].check, "config");
  EXPECT_EQ(lines[0].detail.rfind(config + ":2: unknown key \"web.listen_adress\"", 0), 0u)
      << lines[0].detail;
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].status, "skipped");
    EXPECT_EQ(lines[i].check, kChecks[i]);
    EXPECT_EQ(lines[i].detail, "the config did not load");
  }
}

TEST(CheckConfigCommandNoSetupTest, WithoutAConfigTheDefaultsPass) {
  const CommandRun run = Upkeep({"check-config"});
  EXPECT_EQ(run.status, 0) << run.out << run.err;
  const std::vector<ReportLine> lines = ReportLines(run.out);
  ASSERT_EQ(lines.size(), kChecks.size()) << run.out;
  EXPECT_EQ(lines[0].status, "ok");
  EXPECT_EQ(lines[0].detail, "(built-in defaults)");
  for (size_t i = 1; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].status, "skipped") << lines[i].check;
  }
}

TEST(CheckConfigCommandNoSetupTest, UsageErrorsRunNoCheck) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"check-config", "--bogus"},
        std::vector<std::string>{"check-config", "--config"},
        std::vector<std::string>{"check-config", "--version"},
        std::vector<std::string>{"check-config", "extra"}}) {
    const CommandRun run = Upkeep(args);
    EXPECT_EQ(run.status, 2) << args[1];
    EXPECT_EQ(run.out, "") << args[1];
    EXPECT_EQ(run.err.rfind("upkeep check-config: ", 0), 0u) << run.err;
    EXPECT_NE(run.err.find("Usage:"), std::string::npos) << run.err;
  }
  const CommandRun help = Upkeep({"check-config", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("upkeep check-config [--config FILE]"), std::string::npos);
}

TEST(VersionCommandTest, PrintsTheVersionAndEachLibrary) {
  const CommandRun run = Upkeep({"--version"});
  EXPECT_EQ(run.status, 0);
  EXPECT_EQ(run.err, "");
  std::istringstream in(run.out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 7u) << run.out;
  EXPECT_TRUE(std::regex_match(lines[0], std::regex(R"(upkeep \d+\.\d+\.\d+ \(revision \S+\))")))
      << lines[0];
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"version", R"(\d+\.\d+\.\d+)"},     {"revision", R"(\S+)"},
      {"civetweb", R"(\d+\.\d+(\.\d+)?)"}, {"libgit2", R"(\d+\.\d+\.\d+)"},
      {"libcurl", R"(\d+\.\d+\.\d+)"},     {"openssl", R"(OpenSSL \d+\.\d+\.\d+\S* .*)"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& [name, value] = expected[i];
    EXPECT_TRUE(std::regex_match(lines[i + 1], std::regex("  " + name + ": +" + value)))
        << lines[i + 1];
  }
}

}  // namespace
}  // namespace upkeep
