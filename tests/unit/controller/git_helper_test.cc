#include "controller/git_helper.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "controller/git_facts_json.h"
#include "controller/git_move_json.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

using testing::GitRepos;

struct HelperRun {
  int exit_code = -1;
  std::string out;
};

// Runs the helper in-process on pipes, as the daemon's child would: `input` on stdin (closed
// after it), stdout read to its end.
HelperRun RunHelper(const std::vector<std::string>& args, const std::string& input = "",
                    bool stdin_pipe = true) {
  int in[2];
  int out[2];
  EXPECT_EQ(::pipe2(in, O_CLOEXEC), 0);
  EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
  Fd in_read(in[0]);
  Fd out_read(out[0]);
  Fd out_write(out[1]);
  {
    Fd in_write(in[1]);
    EXPECT_EQ(::write(in_write.get(), input.data(), input.size()),
              static_cast<ssize_t>(input.size()));
  }
  Fd dev_null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  HelperRun run;
  run.exit_code = RunGitHelper(args, stdin_pipe ? in_read.get() : dev_null.get(), out_write.get());
  out_write.Close();
  char buffer[4096];
  ssize_t got = 0;
  while ((got = ::read(out_read.get(), buffer, sizeof buffer)) > 0) {
    run.out.append(buffer, static_cast<size_t>(got));
  }
  return run;
}

TEST(GitHelperTest, AnswersTheFactsAsOneJsonLine) {
  GitRepos repos;
  repos.PushCommits(2);
  const HelperRun run = RunHelper({"check", "--repo", repos.service(), "--remote", "origin",
                                   "--branch", "main", "--fetch", "--changelog-limit", "1"});
  EXPECT_EQ(run.exit_code, 0);
  ASSERT_FALSE(run.out.empty());
  EXPECT_EQ(run.out.back(), '\n');
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1);
  const nlohmann::json body = nlohmann::json::parse(run.out);
  EXPECT_EQ(body["commitsBehind"], 2);
  EXPECT_EQ(body["changelog"], nlohmann::json({"Change 2", "... and 1 more commit"}));
  CheckResult<GitFacts> facts = ParseGitHelperAnswer(run.out);
  ASSERT_TRUE(facts.ok()) << facts.error().message;
  EXPECT_EQ(facts->commits_behind, 2u);
  EXPECT_EQ(facts->latest_revision, repos.Head(repos.pusher()));
  EXPECT_TRUE(facts->fetched);
  EXPECT_EQ(GitFactsToJson(*facts), body);
}

TEST(GitHelperTest, ErrorsAreJsonAnswersToo) {
  GitRepos repos;
  const HelperRun run = RunHelper({"check", "--repo", repos.root() + "/missing"});
  EXPECT_EQ(run.exit_code, 0);
  const nlohmann::json body = nlohmann::json::parse(run.out);
  EXPECT_EQ(body["error"]["kind"], "repo_unavailable");
  CheckResult<GitFacts> facts = ParseGitHelperAnswer(run.out);
  ASSERT_FALSE(facts.ok());
  EXPECT_EQ(facts.error().kind, CheckErrorKind::kRepoUnavailable);
}

TEST(GitHelperTest, ATokenOnStdinIsReadAndOnlyThere) {
  // An https remote that refuses at once (nothing listens on port 1): the token is read and
  // the fetch fails without the token or the URL's userinfo in the answer.
  GitRepos repos;
  testing::Git(repos.service(),
               {"remote", "set-url", "origin", "https://user:urlsecret@127.0.0.1:1/x.git"});
  const HelperRun run =
      RunHelper({"check", "--repo", repos.service(), "--fetch"}, "tok3n-secret\n");
  EXPECT_EQ(run.exit_code, 0);
  const nlohmann::json body = nlohmann::json::parse(run.out);
  EXPECT_EQ(body["error"]["kind"], "fetch_failed");
  EXPECT_EQ(run.out.find("tok3n-secret"), std::string::npos);
  EXPECT_EQ(run.out.find("urlsecret"), std::string::npos);
  // stdin that is not a pipe is not waited on.
  const HelperRun from_null = RunHelper({"check", "--repo", repos.service()}, "", false);
  EXPECT_EQ(from_null.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(from_null.out)["remoteUrl"], "https://127.0.0.1:1/x.git");
}

TEST(GitHelperTest, BadArgumentsAreAnInternalErrorAndExit2) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"push"},
                                             {"check"},
                                             {"check", "--repo"},
                                             {"check", "--repo", "/x", "--bogus", "1"},
                                             {"check", "--repo", "/x", "--changelog-limit", "ten"},
                                             {"check", "--repo", "/x", "--remote", ""}}) {
    const HelperRun run = RunHelper(args);
    EXPECT_EQ(run.exit_code, 2);
    const nlohmann::json body = nlohmann::json::parse(run.out);
    EXPECT_EQ(body["error"]["kind"], "internal") << run.out;
  }
}

TEST(GitHelperTest, AnUnwritableStdoutExits1) {
  GitRepos repos;
  Fd read_only(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  EXPECT_EQ(RunGitHelper({"check", "--repo", repos.service()}, -1, read_only.get()), 1);
}

TEST(GitCheckArgsTest, TheDaemonsArgumentsParseBack) {
  GitCheckRequest request;
  request.repo = "/srv/app";
  request.remote = "upstream";
  request.branch = "stable";
  request.fetch = true;
  request.allow_insecure_transport = true;
  request.changelog_limit = 7;
  request.credentials.ssh_key_file = "/k";
  request.credentials.ssh_known_hosts = "/kh";
  std::vector<std::string> args = GitCheckArgs(request);
  ASSERT_GE(args.size(), 2u);
  EXPECT_EQ(args[0], "git");
  EXPECT_EQ(args[1], "check");
  Result<GitCheckRequest> parsed =
      ParseGitCheckArgs(std::vector<std::string>(args.begin() + 2, args.end()));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->repo, "/srv/app");
  EXPECT_EQ(parsed->remote, "upstream");
  EXPECT_EQ(parsed->branch, "stable");
  EXPECT_TRUE(parsed->fetch);
  EXPECT_TRUE(parsed->allow_insecure_transport);
  EXPECT_EQ(parsed->changelog_limit, 7u);
  EXPECT_EQ(parsed->credentials.ssh_key_file, "/k");
  EXPECT_EQ(parsed->credentials.ssh_known_hosts, "/kh");

  Result<GitCheckRequest> defaults = ParseGitCheckArgs({"--repo", "/r"});
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->remote, "origin");
  EXPECT_EQ(defaults->branch, "main");
  EXPECT_FALSE(defaults->fetch);
  EXPECT_EQ(defaults->changelog_limit, 100u);
  const std::vector<std::string> minimal = GitCheckArgs(*defaults);
  EXPECT_EQ(std::count(minimal.begin(), minimal.end(), "--fetch"), 0);
}

// The service one commit behind the remote, fetched: the move's from and to.
struct Behind {
  GitRepos repos;
  std::string from;
  std::string to;
  Behind() {
    from = repos.Head(repos.service());
    repos.PushCommits(1);
    testing::Git(repos.service(), {"fetch", "--quiet", "origin"});
    to = repos.Head(repos.pusher());
  }
};

TEST(GitHelperTest, MoveAnswersAsOneJsonLine) {
  Behind behind;
  const std::string repo = behind.repos.service();
  HelperRun run = RunHelper(
      {"move", "--repo", repo, "--branch", "main", "--from", behind.from, "--to", behind.to});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.find('\n'), run.out.size() - 1);
  GitUpdateResult<GitMoveOutcome> moved = ParseGitMoveAnswer(run.out);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(*moved, (GitMoveOutcome{behind.from, behind.to, true}));
  EXPECT_EQ(behind.repos.Head(repo), behind.to);

  // The same move again: HEAD is no longer where the caller says.
  run = RunHelper(
      {"move", "--repo", repo, "--branch", "main", "--from", behind.from, "--to", behind.to});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(run.out)["error"]["code"], "head_moved");
  EXPECT_EQ(nlohmann::json::parse(run.out)["error"]["tree"], "unchanged");

  run = RunHelper({"move", "--repo", repo, "--branch", "main", "--from", behind.to, "--to",
                   behind.from, "--back"});
  moved = ParseGitMoveAnswer(run.out);
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(behind.repos.Head(repo), behind.from);
}

TEST(GitHelperTest, MoveRepairPutsAnInterruptedMoveBack) {
  Behind behind;
  const std::string repo = behind.repos.service();
  // Killed after the tree and the ref were written.
  testing::Git(repo, {"read-tree", "-m", "-u", behind.from, behind.to});
  testing::Git(repo, {"update-ref", "refs/heads/main", behind.to});
  const HelperRun run = RunHelper({"move", "--repo", repo, "--branch", "main", "--from",
                                   behind.from, "--to", behind.to, "--repair"});
  EXPECT_EQ(run.exit_code, 0);
  GitUpdateResult<GitMoveOutcome> repaired = ParseGitMoveAnswer(run.out);
  ASSERT_TRUE(repaired.ok()) << repaired.error().message;
  EXPECT_EQ(*repaired, (GitMoveOutcome{behind.to, behind.from, true}));
  EXPECT_EQ(behind.repos.Head(repo), behind.from);
  EXPECT_EQ(testing::Git(repo, {"status", "--porcelain"}), "");
}

TEST(GitHelperTest, ChangedAnswersThePaths) {
  Behind behind;
  const HelperRun run = RunHelper(
      {"changed", "--repo", behind.repos.service(), "--from", behind.from, "--to", behind.to});
  EXPECT_EQ(run.exit_code, 0);
  GitUpdateResult<GitChangedPaths> changed = ParseGitChangedAnswer(run.out);
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  EXPECT_EQ(changed->paths, std::vector<std::string>{"file-2.txt"});
  EXPECT_FALSE(changed->truncated);

  const HelperRun missing = RunHelper({"changed", "--repo", behind.repos.root() + "/gone", "--from",
                                       behind.from, "--to", behind.to});
  EXPECT_EQ(missing.exit_code, 0);
  EXPECT_EQ(ParseGitChangedAnswer(missing.out).error().code, "repo_unavailable");
}

TEST(GitHelperTest, BadMoveAndChangedArgumentsExit2) {
  const std::string id(40, 'a');
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"move"},
           {"move", "--repo", "/r", "--branch", "main", "--from", id},
           {"move", "--repo", "/r", "--branch", "", "--from", id, "--to", id},
           {"move", "--repo", "/r", "--branch", "main", "--from", id, "--to", "abc1234"},
           {"move", "--repo", "/r", "--branch", "main", "--from", "HEAD", "--to", id},
           {"move", "--repo", "/r", "--branch", "main", "--from", id, "--to", id, "--force"},
           {"move", "--repo", "/r", "--repo", "/s", "--branch", "m", "--from", id, "--to", id},
           {"move", "--repo", "/r", "--branch", "main", "--from", id, "--to"},
           {"move", "--repo", "/r", "--branch", "main", "--from", id, "--to", id, "--back",
            "--repair"},
           {"changed", "--repo", "/r", "--from", id},
           {"changed", "--repo", "/r", "--from", id, "--to", id, "--back"},
           {"changed", "--repo", "/r", "--from", id + "0", "--to", id}}) {
    const HelperRun run = RunHelper(args);
    EXPECT_EQ(run.exit_code, 2) << run.out;
    const nlohmann::json body = nlohmann::json::parse(run.out);
    EXPECT_EQ(body["error"]["code"], "internal") << run.out;
    EXPECT_EQ(body["error"]["tree"], "unchanged") << run.out;
  }
}

TEST(GitMoveArgsTest, TheDaemonsArgumentsParseBack) {
  for (GitMoveMode mode : {GitMoveMode::kForward, GitMoveMode::kBack, GitMoveMode::kRepair}) {
    const GitMoveRequest request{"/srv/app", "stable", std::string(40, 'a'), std::string(40, 'b'),
                                 mode};
    const std::vector<std::string> args = GitMoveArgs(request);
    ASSERT_GE(args.size(), 2u);
    EXPECT_EQ(args[0], "git");
    EXPECT_EQ(args[1], "move");
    Result<GitMoveRequest> parsed =
        ParseGitMoveArgs(std::vector<std::string>(args.begin() + 2, args.end()));
    ASSERT_TRUE(parsed.ok()) << parsed.error();
    EXPECT_EQ(parsed->repo, request.repo);
    EXPECT_EQ(parsed->branch, request.branch);
    EXPECT_EQ(parsed->expected_from, request.expected_from);
    EXPECT_EQ(parsed->to, request.to);
    EXPECT_EQ(parsed->mode, mode);
  }
  const std::string id(40, 'a');
  Result<GitMoveRequest> both = ParseGitMoveArgs(
      {"--repo", "/r", "--branch", "main", "--from", id, "--to", id, "--repair", "--back"});
  ASSERT_FALSE(both.ok());
  EXPECT_NE(both.error().find("exclude each other"), std::string::npos) << both.error();
  const GitChangedRequest request{"/srv/app", std::string(40, 'c'), std::string(40, 'd')};
  const std::vector<std::string> args = GitChangedArgs(request);
  EXPECT_EQ(args[1], "changed");
  Result<GitChangedRequest> parsed =
      ParseGitChangedArgs(std::vector<std::string>(args.begin() + 2, args.end()));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->repo, request.repo);
  EXPECT_EQ(parsed->from, request.from);
  EXPECT_EQ(parsed->to, request.to);
}

}  // namespace
}  // namespace upkeep
