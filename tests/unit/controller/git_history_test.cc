// Counting and listing the commits between two points, on real repositories made with the git
// CLI (tests/support/git_repos.h).

#include "controller/git_history.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "controller/git_handles.h"
#include "tests/support/git_repos.h"

namespace upkeep {
namespace {

using testing::Git;
using testing::GitRepos;

git_oid OidOf(const std::string& hex) {
  git_oid oid{};
  EXPECT_EQ(git_oid_fromstr(&oid, hex.c_str()), 0) << hex;
  return oid;
}

GitCheckout OpenOrDie(const std::string& path) {
  CheckResult<GitCheckout> opened = GitCheckout::Open(path);
  if (!opened.ok()) throw std::runtime_error(opened.error().message);
  return std::move(*opened);
}

std::vector<std::string> Subjects(const GitCheckout& checkout, const git_oid& tip,
                                  const git_oid& base, size_t limit = 100) {
  CheckResult<std::vector<std::string>> subjects = CommitSubjects(checkout, tip, base, limit);
  EXPECT_TRUE(subjects.ok()) << subjects.error().message;
  return subjects.ok() ? *subjects : std::vector<std::string>{"<error>"};
}

TEST(GitHistoryTest, AheadBehindAndSubjectsNewestFirst) {
  GitRepos repos;
  const git_oid base = OidOf(repos.Head(repos.service()));
  repos.PushCommits(3);
  const GitCheckout checkout = OpenOrDie(repos.pusher());
  const git_oid tip = OidOf(repos.Head(repos.pusher()));
  CheckResult<AheadBehind> counts = CountAheadBehind(checkout, base, tip);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->ahead, 0u);
  EXPECT_EQ(counts->behind, 3u);
  EXPECT_EQ(Subjects(checkout, tip, base),
            (std::vector<std::string>{"Change 3", "Change 2", "Change 1"}));
  EXPECT_EQ(Subjects(checkout, tip, base, 2), (std::vector<std::string>{"Change 3", "Change 2"}));
  EXPECT_TRUE(Subjects(checkout, tip, base, 0).empty());
  EXPECT_TRUE(Subjects(checkout, base, tip).empty());
  EXPECT_TRUE(Subjects(checkout, tip, tip).empty());
}

TEST(GitHistoryTest, ADivergedCheckoutIsBothAheadAndBehind) {
  GitRepos repos;
  repos.PushCommits(2);
  Git(repos.service(), {"fetch", "origin"});
  repos.Commit(repos.service(), "Local hotfix");
  const GitCheckout checkout = OpenOrDie(repos.service());
  const git_oid local = OidOf(repos.Head(repos.service()));
  const git_oid upstream = OidOf(Git(repos.service(), {"rev-parse", "origin/main"}));

  CheckResult<AheadBehind> counts = CountAheadBehind(checkout, local, upstream);
  ASSERT_TRUE(counts.ok()) << counts.error().message;
  EXPECT_EQ(counts->ahead, 1u);
  EXPECT_EQ(counts->behind, 2u);
  // The other way round, the counts swap.
  CheckResult<AheadBehind> swapped = CountAheadBehind(checkout, upstream, local);
  ASSERT_TRUE(swapped.ok());
  EXPECT_EQ(swapped->ahead, 2u);
  EXPECT_EQ(swapped->behind, 1u);

  EXPECT_EQ(Subjects(checkout, upstream, local),
            (std::vector<std::string>{"Change 2", "Change 1"}));
  EXPECT_EQ(Subjects(checkout, local, upstream), std::vector<std::string>{"Local hotfix"});
}

TEST(GitHistoryTest, MergesAreListedBeforeWhatTheyMerge) {
  GitRepos repos;
  const std::string pusher = repos.pusher();
  const git_oid base = OidOf(repos.Head(pusher));
  Git(pusher, {"checkout", "-q", "-b", "feature"});
  repos.Commit(pusher, "Feature work");
  Git(pusher, {"checkout", "-q", "main"});
  repos.Commit(pusher, "Main work");
  Git(pusher, {"merge", "-q", "--no-ff", "-m", "Merge feature", "feature"});
  const GitCheckout checkout = OpenOrDie(pusher);
  const git_oid tip = OidOf(repos.Head(pusher));

  const std::vector<std::string> subjects = Subjects(checkout, tip, base);
  ASSERT_EQ(subjects.size(), 3u);
  EXPECT_EQ(subjects[0], "Merge feature");
  // Both parents' commits, in whichever order their times give.
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "Feature work"), subjects.end());
  EXPECT_NE(std::find(subjects.begin(), subjects.end(), "Main work"), subjects.end());
  CheckResult<AheadBehind> counts = CountAheadBehind(checkout, base, tip);
  ASSERT_TRUE(counts.ok());
  EXPECT_EQ(counts->behind, 3u);
}

TEST(GitHistoryTest, TheSubjectIsTheFirstParagraphOnOneLine) {
  GitRepos repos;
  const std::string pusher = repos.pusher();
  const git_oid base = OidOf(repos.Head(pusher));
  Git(pusher, {"commit", "-q", "--allow-empty", "-m", "Fix the parser\nfor tabs", "-m",
               "A body that is not part of the subject."});
  const GitCheckout checkout = OpenOrDie(pusher);
  // libgit2's summary joins the first paragraph's lines, as `git log --format=%s` does.
  EXPECT_EQ(Subjects(checkout, OidOf(repos.Head(pusher)), base),
            std::vector<std::string>{"Fix the parser for tabs"});
}

TEST(GitHistoryTest, AnUnknownCommitIsAnInternalError) {
  GitRepos repos;
  const GitCheckout checkout = OpenOrDie(repos.service());
  const git_oid head = OidOf(repos.Head(repos.service()));
  const git_oid missing = OidOf("1111111111111111111111111111111111111111");

  CheckResult<AheadBehind> counts = CountAheadBehind(checkout, head, missing);
  ASSERT_FALSE(counts.ok());
  EXPECT_EQ(counts.error().kind, CheckErrorKind::kInternal);
  EXPECT_EQ(counts.error().message.rfind("count commits between HEAD and " + OidHex(missing), 0),
            0u)
      << counts.error().message;

  CheckResult<std::vector<std::string>> subjects = CommitSubjects(checkout, missing, head, 10);
  ASSERT_FALSE(subjects.ok());
  EXPECT_EQ(subjects.error().kind, CheckErrorKind::kInternal);
  EXPECT_EQ(subjects.error().message.rfind("walk " + OidHex(head) + ".." + OidHex(missing), 0), 0u)
      << subjects.error().message;
}

}  // namespace
}  // namespace upkeep
