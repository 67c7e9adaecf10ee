// `upkeep token ...` in process, against real files in a temp directory.

#include "app/token_command.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "auth/sha256.h"
#include "auth/tokens_file.h"
#include "common/process_runner.h"
#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

struct CommandRun {
  int status = -1;
  std::string out;
  std::string err;
};

std::string Drain(std::FILE* file) {
  std::rewind(file);
  std::string text;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, n);
  std::fclose(file);
  return text;
}

CommandRun Token(std::vector<std::string> args) {
  args.insert(args.begin(), "token");
  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  std::FILE* out = std::tmpfile();
  std::FILE* err = std::tmpfile();
  CommandRun run;
  run.status = RunTokenCommand(static_cast<int>(argv.size()), argv.data(), out, err);
  run.out = Drain(out);
  run.err = Drain(err);
  return run;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

struct Ownership {
  uid_t uid = 0;
  gid_t gid = 0;
  bool operator==(const Ownership&) const = default;
};

Ownership OwnerOf(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return {st.st_uid, st.st_gid};
}

// A user who is not root, as the package's daemon user would be: nobody (65534) on Debian.
constexpr uid_t kOtherUid = 65534;

TEST(TokenCommandTest, CreateListRevoke) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/tokens";
  const CommandRun created =
      Token({"create", "--name", "ci", "--role", "admin", "--tokens-file", file});
  ASSERT_EQ(created.status, 0) << created.err;
  // stdout is the token alone, so scripts can capture it.
  ASSERT_EQ(created.out.size(), 4u + 43u + 1u) << created.out;
  const std::string token = created.out.substr(0, created.out.size() - 1);
  EXPECT_EQ(token.substr(0, 4), "upk_");
  EXPECT_NE(created.err.find("shown only this once"), std::string::npos);
  EXPECT_EQ(ModeOf(file), 0600u);
  // The file holds the hash, never the token.
  const std::string text = ReadFile(file);
  EXPECT_EQ(text.find(token), std::string::npos);
  const auto records = ParseTokensFile(text);
  ASSERT_TRUE(records);
  ASSERT_EQ(records->size(), 1u);
  EXPECT_EQ((*records)[0].name, "ci");
  EXPECT_EQ((*records)[0].role, Role::kAdmin);
  EXPECT_TRUE(DigestsEqual((*records)[0].hash, Sha256(token)));

  ASSERT_EQ(Token({"create", "--name=grafana", "--role=metrics", "--tokens-file=" + file}).status,
            0);
  const CommandRun listed = Token({"list", "--tokens-file", file});
  EXPECT_EQ(listed.status, 0);
  EXPECT_NE(listed.out.find("ci "), std::string::npos) << listed.out;
  EXPECT_NE(listed.out.find("grafana "), std::string::npos);
  EXPECT_NE(listed.out.find("metrics"), std::string::npos);
  EXPECT_EQ(listed.out.find(token), std::string::npos);

  const CommandRun revoked = Token({"revoke", "--name", "ci", "--tokens-file", file});
  EXPECT_EQ(revoked.status, 0) << revoked.err;
  const auto after = ParseTokensFile(ReadFile(file));
  ASSERT_TRUE(after);
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].name, "grafana");
  EXPECT_NE(ReadFile(file).find("# upkeep API tokens"), std::string::npos);  // header kept
}

TEST(TokenCommandTest, RefusesDuplicatesUnknownNamesAndMalformedFiles) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/tokens";
  ASSERT_EQ(Token({"create", "--name", "a", "--role", "admin", "--tokens-file", file}).status, 0);
  const std::string before = ReadFile(file);
  const CommandRun duplicate =
      Token({"create", "--name", "a", "--role", "metrics", "--tokens-file", file});
  EXPECT_EQ(duplicate.status, 1);
  EXPECT_NE(duplicate.err.find("already exists"), std::string::npos);
  EXPECT_EQ(duplicate.out, "");  // no token printed
  EXPECT_EQ(ReadFile(file), before);
  const CommandRun unknown = Token({"revoke", "--name", "zz", "--tokens-file", file});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_NE(unknown.err.find("no token named \"zz\""), std::string::npos);

  const std::string broken = dir.Write("broken", "a admin nothex\n");
  const CommandRun on_broken =
      Token({"create", "--name", "b", "--role", "admin", "--tokens-file", broken});
  EXPECT_EQ(on_broken.status, 1);
  EXPECT_NE(on_broken.err.find("line 1"), std::string::npos) << on_broken.err;
  EXPECT_EQ(ReadFile(broken), "a admin nothex\n");
}

TEST(TokenCommandTest, UsageErrorsExitWith2) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/tokens";
  EXPECT_EQ(Token({}).status, 2);
  EXPECT_EQ(Token({"frobnicate"}).status, 2);
  EXPECT_EQ(Token({"create", "--role", "admin", "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"create", "--name", "a", "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"create", "--name", "a", "--role", "root", "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"create", "--name", "a b", "--role", "admin", "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"create", "--name", "a", "--role", "admin"}).status, 2);  // no file
  EXPECT_EQ(Token({"list", "--name", "a", "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"list", "--tokens-file"}).status, 2);
  EXPECT_EQ(Token({"list", "--tokens-file", file, "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"list", "--bogus", "x"}).status, 2);
  EXPECT_EQ(::access(file.c_str(), F_OK), -1);  // nothing was created
  const CommandRun help = Token({"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("upkeep token create"), std::string::npos);
}

TEST(TokenCommandTest, TheConfigNamesTheFile) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/tokens";
  const std::string config = dir.Write("upkeep.yaml", "auth:\n  tokens_file: " + file + "\n");
  EXPECT_EQ(Token({"create", "--name", "a", "--role", "admin", "--config", config}).status, 0);
  EXPECT_TRUE(ParseTokensFile(ReadFile(file))->size() == 1);
  const std::string none = dir.Write("none.yaml", "log:\n  level: info\n");
  const CommandRun no_file = Token({"list", "--config", none});
  EXPECT_EQ(no_file.status, 2);
  EXPECT_NE(no_file.err.find("sets no auth.tokens_file"), std::string::npos);
  const std::string bad = dir.Write("bad.yaml", "auth:\n  metrics: maybe\n");
  EXPECT_EQ(Token({"list", "--config", bad}).status, 2);
  EXPECT_EQ(Token({"list", "--config", config, "--tokens-file", file}).status, 2);
}

TEST(TokenCommandTest, AnOpenFileIsTightenedTo0600AndCommentsSurvive) {
  testing::TempDir dir;
  const std::string file = dir.Write("tokens", "# hand-written note\n");
  ::chmod(file.c_str(), 0644);
  const CommandRun created =
      Token({"create", "--name", "a", "--role", "admin", "--tokens-file", file});
  ASSERT_EQ(created.status, 0);
  EXPECT_NE(created.err.find("now mode 0600"), std::string::npos) << created.err;
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_EQ(ReadFile(file).rfind("# hand-written note\n", 0), 0u);
}

// Root edits a tokens file that the daemon's user owns: every rewrite keeps that owner and
// group, or the daemon could no longer read its own tokens.
TEST(TokenCommandTest, RootKeepsTheOwnerOfAnExistingFile) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  testing::TempDir dir;
  const std::string file = dir.Write("tokens", "# tokens of the daemon's user\n");
  ::chmod(file.c_str(), 0600);
  ASSERT_EQ(::chown(file.c_str(), kOtherUid, kOtherUid), 0);
  const Ownership daemon_user{kOtherUid, kOtherUid};

  const CommandRun created =
      Token({"create", "--name", "a", "--role", "admin", "--tokens-file", file});
  ASSERT_EQ(created.status, 0) << created.err;
  EXPECT_EQ(OwnerOf(file), daemon_user);
  EXPECT_EQ(ModeOf(file), 0600u);
  EXPECT_EQ(created.err.find("belongs to root"), std::string::npos) << created.err;
  // --owner naming the owner it has already is fine (a script may always pass it).
  ASSERT_EQ(Token({"create", "--name", "b", "--role", "metrics", "--owner",
                   std::to_string(kOtherUid), "--tokens-file", file})
                .status,
            0);
  EXPECT_EQ(OwnerOf(file), daemon_user);
  const CommandRun revoked = Token({"revoke", "--name", "a", "--tokens-file", file});
  ASSERT_EQ(revoked.status, 0) << revoked.err;
  EXPECT_EQ(OwnerOf(file), daemon_user);
  EXPECT_EQ(ParseTokensFile(ReadFile(file))->size(), 1u);

  // --owner cannot silently move an existing file to someone else.
  const std::string before = ReadFile(file);
  const CommandRun moved =
      Token({"create", "--name", "c", "--role", "admin", "--owner", "0", "--tokens-file", file});
  EXPECT_EQ(moved.status, 1);
  EXPECT_NE(moved.err.find("keeps its owner"), std::string::npos) << moved.err;
  EXPECT_EQ(moved.out, "");
  EXPECT_EQ(ReadFile(file), before);
  EXPECT_EQ(OwnerOf(file), daemon_user);
}

TEST(TokenCommandTest, OwnerGivesANewFileToTheDaemonsUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to chown";
  testing::TempDir dir;
  const Result<RunAs> other = ResolveUser(std::to_string(kOtherUid));
  ASSERT_TRUE(other) << other.error();
  const std::string file = dir.path() + "/tokens";
  const CommandRun created = Token(
      {"create", "--name", "a", "--role", "admin", "--owner", other->name, "--tokens-file", file});
  ASSERT_EQ(created.status, 0) << created.err;
  EXPECT_EQ(OwnerOf(file), (Ownership{other->uid, other->gid}));  // its primary group too
  EXPECT_EQ(ModeOf(file), 0600u);

  // Without --owner, root's new file is root's, and the command says what that means.
  const std::string own = dir.path() + "/root-tokens";
  const CommandRun by_root =
      Token({"create", "--name", "a", "--role", "admin", "--tokens-file", own});
  ASSERT_EQ(by_root.status, 0) << by_root.err;
  EXPECT_EQ(OwnerOf(own), (Ownership{0, 0}));
  EXPECT_NE(by_root.err.find("--owner USER"), std::string::npos) << by_root.err;
}

TEST(TokenCommandTest, OwnerMustBeAKnownUserAndOnlyApplyToCreate) {
  testing::TempDir dir;
  const std::string file = dir.path() + "/tokens";
  const CommandRun unknown = Token({"create", "--name", "a", "--role", "admin", "--owner",
                                    "no-such-user-upkeep", "--tokens-file", file});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("no such user"), std::string::npos) << unknown.err;
  EXPECT_EQ(::access(file.c_str(), F_OK), -1);  // nothing was created
  EXPECT_EQ(Token({"list", "--owner", "root", "--tokens-file", file}).status, 2);
  EXPECT_EQ(Token({"revoke", "--name", "a", "--owner", "root", "--tokens-file", file}).status, 2);
  EXPECT_EQ(
      Token({"create", "--name", "a", "--role", "admin", "--owner", "--tokens-file", file}).status,
      2);
}

}  // namespace
}  // namespace upkeep
