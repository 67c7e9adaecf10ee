// CheckStateDir on real directories in a temp dir: each way a state directory can be unsafe,
// with the message that names it. The tests that hand directories to another user (65534,
// nobody) need root, as the suite runs.

#include "controller/state_dir_check.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

namespace fs = std::filesystem;

constexpr uid_t kNobody = 65534;

// A temp dir holding `repo` and a good state directory `state` (0700, ours).
struct Dirs {
  testing::TempDir temp;
  std::string repo = temp.path() + "/repo";
  std::string state = temp.path() + "/state";

  Dirs() {
    fs::create_directory(repo);
    MakeDir(state);
  }
  static void MakeDir(const std::string& path, mode_t mode = 0700) {
    fs::create_directories(path);
    ::chmod(path.c_str(), mode);
  }
};

// The error of `status` ("" when it is OK), checked to start as every one must.
std::string ErrorOf(const Status& status) {
  if (status.ok()) return "";
  EXPECT_TRUE(status.error().starts_with("update.state_dir: ")) << status.error();
  return status.error();
}

#define EXPECT_CONTAINS(text, part) \
  EXPECT_NE(std::string(text).find(part), std::string::npos) << "text: " << (text)

bool IsRoot() { return ::geteuid() == 0; }

TEST(StateDirCheckTest, AGoodDirectoryPasses) {
  Dirs d;
  EXPECT_EQ(ErrorOf(CheckStateDir(d.state, d.repo, std::nullopt)), "");
  EXPECT_EQ(ErrorOf(CheckStateDir(d.state + "/", d.repo, std::nullopt)), "");
  EXPECT_EQ(ErrorOf(CheckStateDir(d.state, d.repo, ::geteuid())), "");
  // A repo that is not there (yet) is the update check's business, not this one's.
  EXPECT_EQ(ErrorOf(CheckStateDir(d.state, d.temp.path() + "/gone", std::nullopt)), "");
}

TEST(StateDirCheckTest, ItMustExistAndBeADirectoryOfItsOwn) {
  Dirs d;
  const std::string missing = d.temp.path() + "/missing";
  EXPECT_EQ(ErrorOf(CheckStateDir(missing, d.repo, std::nullopt)),
            "update.state_dir: " + missing + " does not exist");

  const std::string file = d.temp.path() + "/file";
  std::ofstream(file) << "x";
  EXPECT_EQ(ErrorOf(CheckStateDir(file, d.repo, std::nullopt)),
            "update.state_dir: " + file + " is not a directory");

  // A symlink to a good directory: whoever can repoint the link chooses the directory.
  const std::string link = d.temp.path() + "/link";
  fs::create_directory_symlink(d.state, link);
  const std::string error = ErrorOf(CheckStateDir(link, d.repo, std::nullopt));
  EXPECT_CONTAINS(error, "update.state_dir: " + link + " is a symlink");
}

TEST(StateDirCheckTest, GroupOrOtherBitsNameTheModeAndTheFix) {
  Dirs d;
  for (const mode_t mode : {0750, 0705, 0777, 0701}) {
    ::chmod(d.state.c_str(), mode);
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", static_cast<unsigned>(mode));
    const std::string error = ErrorOf(CheckStateDir(d.state, d.repo, std::nullopt));
    EXPECT_CONTAINS(error, d.state + " has mode " + octal);
    EXPECT_CONTAINS(error, "fix: chmod 700 " + d.state);
  }
  // Too little for ourselves is wrong too.
  ::chmod(d.state.c_str(), 0500);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(d.state, d.repo, std::nullopt)), "has mode 0500");
}

TEST(StateDirCheckTest, ItMustBeOurs) {
  if (!IsRoot()) GTEST_SKIP() << "needs root to chown";
  Dirs d;
  ASSERT_EQ(::chown(d.state.c_str(), kNobody, kNobody), 0);
  const std::string error = ErrorOf(CheckStateDir(d.state, d.repo, std::nullopt));
  EXPECT_CONTAINS(error, d.state + " is owned by uid 65534");
  EXPECT_CONTAINS(error, "not by upkeep's user uid 0 (root)");
  EXPECT_CONTAINS(error, "fix: chown root " + d.state);
}

TEST(StateDirCheckTest, ItMustNotLieInTheRepo) {
  Dirs d;
  const std::string inside = d.repo + "/var/state";
  Dirs::MakeDir(inside);
  std::string error = ErrorOf(CheckStateDir(inside, d.repo, std::nullopt));
  EXPECT_CONTAINS(error, inside + " lies inside update.repo " + d.repo);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(inside, d.repo + "/", std::nullopt)), "lies inside");

  // The repo itself.
  ::chmod(d.repo.c_str(), 0700);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(d.repo, d.repo, std::nullopt)), "lies inside");

  // Named through a symlink and with "..": the real paths are compared.
  const std::string repo_link = d.temp.path() + "/current";
  fs::create_directory_symlink(d.repo, repo_link);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(inside, repo_link, std::nullopt)), "lies inside");
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(d.state + "/../repo/var/state", d.repo, std::nullopt)),
                  "lies inside");

  // A sibling whose name only begins like the repo's is not inside it.
  const std::string sibling = d.repo + "-state";
  Dirs::MakeDir(sibling);
  EXPECT_EQ(ErrorOf(CheckStateDir(sibling, d.repo, std::nullopt)), "");
}

// update.user could rename the state directory away through a parent they can write to.
TEST(StateDirCheckTest, NoParentMayBeWritableByTheUpdateUser) {
  if (!IsRoot()) GTEST_SKIP() << "needs root to chown";
  Dirs d;
  const std::string parent = d.temp.path() + "/srv";
  const std::string state = parent + "/upkeep";
  Dirs::MakeDir(parent, 0755);
  Dirs::MakeDir(state);
  EXPECT_EQ(ErrorOf(CheckStateDir(state, d.repo, kNobody)), "");

  ASSERT_EQ(::chown(parent.c_str(), kNobody, kNobody), 0);
  std::string error = ErrorOf(CheckStateDir(state, d.repo, kNobody));
  EXPECT_CONTAINS(error, parent + " (a parent of " + state + ") is owned by update.user uid 65534");
  EXPECT_CONTAINS(error, "rename the state directory away");
  // Not a concern without an update user, or when it is upkeep's own.
  EXPECT_EQ(ErrorOf(CheckStateDir(state, d.repo, std::nullopt)), "");
  EXPECT_EQ(ErrorOf(CheckStateDir(state, d.repo, ::geteuid())), "");

  // Writable by everyone.
  ASSERT_EQ(::chown(parent.c_str(), 0, 0), 0);
  ::chmod(parent.c_str(), 0777);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(state, d.repo, kNobody)),
                  parent + " (a parent of " + state + ") is writable by everyone (mode 0777)");
  // ... unless sticky, like /tmp: then only an entry's owner may rename it.
  ::chmod(parent.c_str(), 01777);
  EXPECT_EQ(ErrorOf(CheckStateDir(state, d.repo, kNobody)), "");

  // Group-writable: only a concern for a member of the group (nobody's own group, 65534).
  ::chmod(parent.c_str(), 0775);
  EXPECT_EQ(ErrorOf(CheckStateDir(state, d.repo, kNobody)), "");  // group root
  ASSERT_EQ(::chown(parent.c_str(), 0, kNobody), 0);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(state, d.repo, kNobody)),
                  "is writable by its group (gid 65534), which update.user uid 65534");

  // A grandparent counts as much as a parent.
  ::chmod(parent.c_str(), 0755);
  ASSERT_EQ(::chown(d.temp.path().c_str(), kNobody, 0), 0);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(state, d.repo, kNobody)),
                  d.temp.path() + " (a parent of " + state + ") is owned by update.user");
}

// Both ways to the directory count: the parents of the path as given (the user could repoint
// a link in a directory of theirs) and of the real one.
TEST(StateDirCheckTest, ParentsOfTheGivenAndTheRealPathAreChecked) {
  if (!IsRoot()) GTEST_SKIP() << "needs root to chown";
  Dirs d;
  const std::string real_parent = d.temp.path() + "/data";
  const std::string links = d.temp.path() + "/links";
  Dirs::MakeDir(real_parent, 0755);
  Dirs::MakeDir(real_parent + "/state");
  Dirs::MakeDir(links, 0755);
  fs::create_directory_symlink(real_parent, links + "/data");
  const std::string given = links + "/data/state";
  EXPECT_EQ(ErrorOf(CheckStateDir(given, d.repo, kNobody)), "");

  ASSERT_EQ(::chown(links.c_str(), kNobody, kNobody), 0);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(given, d.repo, kNobody)),
                  links + " (a parent of " + given + ") is owned by update.user");

  ASSERT_EQ(::chown(links.c_str(), 0, 0), 0);
  ASSERT_EQ(::chown(real_parent.c_str(), kNobody, kNobody), 0);
  EXPECT_CONTAINS(ErrorOf(CheckStateDir(given, d.repo, kNobody)),
                  real_parent + " (a parent of " + given + ") is owned by update.user");
}

}  // namespace
}  // namespace upkeep
