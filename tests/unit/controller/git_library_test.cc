// libgit2's process-wide set-up and the wording of its errors.

#include "controller/git_library.h"

#include <git2.h>
#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

TEST(GitLibraryTest, InitSucceedsAndStaysInitialised) {
  ASSERT_TRUE(GitLibrary::Init());
  // Later calls answer the first call's status and do not initialise again: libgit2 counts
  // its initialisations, and ours is one.
  ASSERT_TRUE(GitLibrary::Init());
  int major = 0, minor = 0, rev = 0;
  EXPECT_EQ(git_libgit2_version(&major, &minor, &rev), 0);
  EXPECT_EQ(git_libgit2_init(), 2);  // ours, then this one
  EXPECT_EQ(git_libgit2_shutdown(), 1);
}

TEST(GitLibraryTest, ErrorTextIsLibgit2sLastMessage) {
  ASSERT_TRUE(GitLibrary::Init());
  const testing::TempDir dir;
  const std::string path = dir.path() + "/nope";
  git_repository* repo = nullptr;
  const int rc =
      git_repository_open_ext(&repo, path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr);
  ASSERT_LT(rc, 0);
  const std::string text = GitErrorText(rc);
  EXPECT_NE(text.find(path), std::string::npos) << text;
  EXPECT_EQ(GitError("open repository " + path, rc).message,
            "open repository " + path + ": " + text);
}

TEST(GitLibraryTest, WithoutAMessageTheCodeIsNamed) {
  ASSERT_TRUE(GitLibrary::Init());
  git_error_clear();
  EXPECT_EQ(GitErrorText(GIT_ENOTFOUND), "error -3");
  EXPECT_EQ(GitError("look up HEAD", -1).message, "look up HEAD: error -1");
}

TEST(GitLibraryTest, TheLastErrorIsPerThread) {
  ASSERT_TRUE(GitLibrary::Init());
  git_repository* repo = nullptr;
  ASSERT_LT(
      git_repository_open_ext(&repo, "/nonexistent/upkeep", GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr),
      0);
  std::string other;
  std::thread([&] { other = GitErrorText(-1); }).join();
  EXPECT_EQ(other, "error -1");
  EXPECT_NE(GitErrorText(-1), "error -1");
}

}  // namespace
}  // namespace upkeep
