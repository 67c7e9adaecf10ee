#include "controller/git_changes.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;
using testing::Git;
using testing::GitRepos;

class GitChangesTest : public ::testing::Test {
 protected:
  GitChangesTest() {
    fs::create_directories(Dir() + "/migrations");
    repos_.WriteFile(Dir(), "package.json", "{}\n");
    repos_.WriteFile(Dir(), "README.md", "readme\n");
    repos_.WriteFile(Dir(), "migrations/001.sql", "create table a;\n");
    repos_.WriteFile(Dir(), "old-name.txt", "a file that will be renamed\n");
    base_ = CommitAll("Base");
  }

  std::string Dir() const { return repos_.service(); }
  std::string CommitAll(const std::string& subject) {
    Git(Dir(), {"add", "-A"});
    Git(Dir(), {"commit", "--quiet", "-m", subject});
    return repos_.Head(Dir());
  }

  GitChangedPaths Changed(const std::string& from, const std::string& to,
                          size_t cap = kChangedPathsCap) {
    GitUpdateResult<GitChangedPaths> changed = ChangedPaths(Dir(), from, to, cap);
    EXPECT_TRUE(changed.ok()) << changed.error().message;
    return changed.ok() ? *changed : GitChangedPaths{};
  }

  GitRepos repos_;
  std::string base_;
};

TEST_F(GitChangesTest, AddedDeletedModifiedAndBothNamesOfARename) {
  repos_.WriteFile(Dir(), "package.json", "{\"name\": \"x\"}\n");
  fs::remove(Dir() + "/README.md");
  repos_.WriteFile(Dir(), "migrations/002.sql", "alter table a;\n");
  Git(Dir(), {"mv", "old-name.txt", "new-name.txt"});
  const std::string to = CommitAll("Everything at once");
  EXPECT_EQ(Changed(base_, to).paths,
            (std::vector<std::string>{"README.md", "migrations/002.sql", "new-name.txt",
                                      "old-name.txt", "package.json"}));
  EXPECT_FALSE(Changed(base_, to).truncated);
  // A rollback's diff names the same paths.
  EXPECT_EQ(Changed(to, base_).paths, Changed(base_, to).paths);
}

TEST_F(GitChangesTest, TheTreesAreComparedNotTheCommitsBetween) {
  repos_.WriteFile(Dir(), "scratch.txt", "added and removed again\n");
  CommitAll("Add scratch");
  fs::remove(Dir() + "/scratch.txt");
  repos_.WriteFile(Dir(), "migrations/001.sql", "create table b;\n");
  const std::string to = CommitAll("Remove scratch");
  EXPECT_EQ(Changed(base_, to).paths, std::vector<std::string>{"migrations/001.sql"});
}

TEST_F(GitChangesTest, AModeChangeIsAChange) {
  fs::permissions(Dir() + "/README.md", fs::perms::owner_exec, fs::perm_options::add);
  const std::string to = CommitAll("Executable");
  EXPECT_EQ(Changed(base_, to).paths, std::vector<std::string>{"README.md"});
}

TEST_F(GitChangesTest, TheSameRevisionChangesNothing) {
  const GitChangedPaths changed = Changed(base_, base_);
  EXPECT_TRUE(changed.paths.empty());
  EXPECT_FALSE(changed.truncated);
}

TEST_F(GitChangesTest, TheListIsCutAtTheCapAndSaysSo) {
  for (int i = 0; i < 6; ++i) repos_.WriteFile(Dir(), "f" + std::to_string(i), "x\n");
  const std::string to = CommitAll("Six files");
  const GitChangedPaths cut = Changed(base_, to, 4);
  EXPECT_EQ(cut.paths, (std::vector<std::string>{"f0", "f1", "f2", "f3"}));
  EXPECT_TRUE(cut.truncated);
  const GitChangedPaths exact = Changed(base_, to, 6);
  EXPECT_EQ(exact.paths.size(), 6u);
  EXPECT_FALSE(exact.truncated);
}

TEST_F(GitChangesTest, Errors) {
  GitUpdateResult<GitChangedPaths> missing = ChangedPaths(repos_.root() + "/missing", base_, base_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, "repo_unavailable");
  for (const std::string& bad : {base_.substr(0, 7), std::string(40, 'b'), std::string("HEAD")}) {
    GitUpdateResult<GitChangedPaths> changed = ChangedPaths(Dir(), base_, bad);
    ASSERT_FALSE(changed.ok()) << bad;
    EXPECT_EQ(changed.error().code, "internal");
    EXPECT_NE(changed.error().message.find(bad), std::string::npos) << changed.error().message;
  }
}

}  // namespace
}  // namespace upkeep
