// The preserve paths on a real filesystem: set aside and put back by rename (same inode, same
// bytes), a missing path, what the failed run left removed, a second or an interrupted Restore,
// Discard after success, the JSON record, symlinks never followed, and where the aside
// directory goes.

#include "controller/preserve_paths.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

using testing::TempDir;
namespace fs = std::filesystem;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

ino_t Inode(const std::string& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

class PreservePathsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_ = dir_.path() + "/repo";
    aside_ = dir_.path() + "/state/preserved/20261130T031500Z-1a2b3c4d";
    dir_.Write("repo/node_modules/left-pad/index.js", std::string("module.exports = 1;\0\xff", 22));
    dir_.Write("repo/node_modules/.bin/tool", "#!/bin/sh\n");
    dir_.Write("repo/dist/app.js", "console.log('v1');\n");
    dir_.Write("repo/web/dist/index.html", "<p>v1</p>");
    dir_.Write("repo/src/main.js", "source");
  }

  std::string Repo(const std::string& path) const { return repo_ + "/" + path; }

  TempDir dir_;
  std::string repo_;
  std::string aside_;
};

TEST_F(PreservePathsTest, SetAsideThenRestoreRenamesTheOriginalsBack) {
  const ino_t modules = Inode(Repo("node_modules"));
  const ino_t app = Inode(Repo("dist/app.js"));
  Result<PreserveRecord> record =
      SetAside(repo_, {"node_modules", "dist", "web/dist", "missing", "gone/deeper"}, aside_);
  ASSERT_TRUE(record.ok()) << record.error();
  ASSERT_EQ(record->paths.size(), 5u);
  EXPECT_TRUE(record->paths[0].was_present);
  EXPECT_TRUE(record->paths[2].was_present);
  EXPECT_FALSE(record->paths[3].was_present);
  EXPECT_FALSE(record->paths[4].was_present);
  EXPECT_EQ(record->paths[2].aside, aside_ + "/2-web_dist");
  for (const std::string path : {"node_modules", "dist", "web/dist"}) {
    EXPECT_FALSE(fs::exists(Repo(path))) << path;
  }
  EXPECT_EQ(Inode(aside_ + "/0-node_modules"), modules);  // moved, not copied
  struct stat info {};
  ASSERT_EQ(::stat(aside_.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0700u);

  // What the failed run's steps made.
  dir_.Write("repo/node_modules/new-dep/index.js", "v2");
  dir_.Write("repo/dist/app.js", "console.log('v2 half built');");
  dir_.Write("repo/missing/created", "by the failed run");
  fs::create_directory_symlink("/etc", Repo("web/dist"));

  ASSERT_TRUE(Restore(*record).ok());
  EXPECT_EQ(Inode(Repo("node_modules")), modules);
  EXPECT_EQ(Inode(Repo("dist/app.js")), app);
  EXPECT_EQ(ReadAll(Repo("node_modules/left-pad/index.js")),
            std::string("module.exports = 1;\0\xff", 22));
  EXPECT_EQ(ReadAll(Repo("node_modules/.bin/tool")), "#!/bin/sh\n");
  EXPECT_EQ(ReadAll(Repo("dist/app.js")), "console.log('v1');\n");
  EXPECT_EQ(ReadAll(Repo("web/dist/index.html")), "<p>v1</p>");
  EXPECT_FALSE(fs::exists(Repo("node_modules/new-dep")));
  EXPECT_FALSE(fs::exists(Repo("missing")));
  EXPECT_FALSE(fs::exists(Repo("gone")));
  EXPECT_TRUE(fs::exists("/etc/passwd"));  // the symlink went, not what it pointed at
  EXPECT_FALSE(fs::exists(aside_));
  EXPECT_EQ(ReadAll(Repo("src/main.js")), "source");

  // Again (a recovery that repeats it): nothing changes, even what a rerun rebuilt since.
  dir_.Write("repo/missing/rebuilt", "by a rerun step");
  ASSERT_TRUE(Restore(*record).ok());
  EXPECT_EQ(Inode(Repo("node_modules")), modules);
  EXPECT_EQ(ReadAll(Repo("missing/rebuilt")), "by a rerun step");
}

TEST_F(PreservePathsTest, RestoreFinishesAnInterruptedRestore) {
  const ino_t modules = Inode(Repo("node_modules"));
  Result<PreserveRecord> record = SetAside(repo_, {"node_modules", "dist"}, aside_);
  ASSERT_TRUE(record.ok()) << record.error();
  dir_.Write("repo/node_modules/new-dep/index.js", "v2");
  dir_.Write("repo/dist/app.js", "v2");
  // Interrupted after the first move of the first path it handles (dist) and before the
  // original went back.
  fs::rename(Repo("dist"), aside_ + "/1-dist.discarded");
  ASSERT_TRUE(Restore(*record).ok());
  EXPECT_EQ(ReadAll(Repo("dist/app.js")), "console.log('v1');\n");
  EXPECT_EQ(Inode(Repo("node_modules")), modules);
  EXPECT_FALSE(fs::exists(Repo("node_modules/new-dep")));
  EXPECT_FALSE(fs::exists(aside_));
}

TEST_F(PreservePathsTest, APlanPersistedBeforeSetAsideRestoresNothingThatWasNotMoved) {
  Result<PreserveRecord> plan = PlanPreserve(repo_, {"node_modules", "dist"}, aside_);
  ASSERT_TRUE(plan.ok()) << plan.error();
  EXPECT_TRUE(fs::exists(Repo("node_modules")));
  ASSERT_TRUE(Restore(*plan).ok());  // a crash before SetAside moved anything
  EXPECT_EQ(ReadAll(Repo("dist/app.js")), "console.log('v1');\n");
  EXPECT_TRUE(fs::exists(Repo("node_modules/left-pad/index.js")));
}

TEST_F(PreservePathsTest, DiscardKeepsTheNewPathsAndRemovesTheOldOnes) {
  Result<PreserveRecord> record = SetAside(repo_, {"node_modules", "missing"}, aside_);
  ASSERT_TRUE(record.ok()) << record.error();
  dir_.Write("repo/node_modules/new-dep/index.js", "v2");
  ASSERT_TRUE(Discard(*record).ok());
  EXPECT_EQ(ReadAll(Repo("node_modules/new-dep/index.js")), "v2");
  EXPECT_FALSE(fs::exists(Repo("node_modules/left-pad")));
  EXPECT_FALSE(fs::exists(aside_));
  EXPECT_TRUE(Discard(*record).ok());  // again: nothing left to do
  EXPECT_TRUE(Restore(*record).ok());  // and nothing to restore
  EXPECT_TRUE(fs::exists(Repo("node_modules/new-dep/index.js")));
}

TEST_F(PreservePathsTest, ASymlinkOnTheWayIsRefusedAndWhatMovedGoesBack) {
  const std::string outside = dir_.Write("outside/dist/secret", "not the repo's");
  fs::create_directory_symlink(dir_.path() + "/outside", Repo("linked"));
  const ino_t modules = Inode(Repo("node_modules"));
  Result<PreserveRecord> record = SetAside(repo_, {"node_modules", "linked/dist"}, aside_);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.error().find("cannot open linked of linked/dist"), std::string::npos)
      << record.error();
  EXPECT_EQ(Inode(Repo("node_modules")), modules);
  EXPECT_EQ(ReadAll(outside), "not the repo's");
  EXPECT_FALSE(fs::exists(aside_));
}

TEST_F(PreservePathsTest, ADirectoryTheFailedRunRemovedIsAnErrorThatKeepsTheCopy) {
  Result<PreserveRecord> record = SetAside(repo_, {"web/dist"}, aside_);
  ASSERT_TRUE(record.ok()) << record.error();
  fs::remove_all(Repo("web"));
  const Status restored = Restore(*record);
  ASSERT_FALSE(restored.ok());
  EXPECT_NE(restored.error().find("its directory in " + repo_ + " is gone"), std::string::npos)
      << restored.error();
  EXPECT_EQ(ReadAll(aside_ + "/0-web_dist/index.html"), "<p>v1</p>");  // nothing lost
  fs::create_directory(Repo("web"));  // the checkout back would bring it
  ASSERT_TRUE(Restore(*record).ok());
  EXPECT_EQ(ReadAll(Repo("web/dist/index.html")), "<p>v1</p>");
}

TEST_F(PreservePathsTest, ReadOnlyDirectoriesAreRemovedToo) {
  dir_.Write("repo/node_modules/pkg/lib/file.js", "x");
  fs::permissions(Repo("node_modules/pkg/lib"), fs::perms::owner_read | fs::perms::owner_exec);
  fs::permissions(Repo("node_modules/pkg"), fs::perms::owner_read | fs::perms::owner_exec);
  Result<PreserveRecord> record = SetAside(repo_, {"node_modules"}, aside_);
  ASSERT_TRUE(record.ok()) << record.error();
  ASSERT_TRUE(Discard(*record).ok());
  EXPECT_FALSE(fs::exists(aside_));
}

TEST_F(PreservePathsTest, PathsThatLeaveTheRepoAreRefused) {
  for (const std::string path : {"../etc", "/etc", "a//b", "a/./b", "", "dist/"}) {
    EXPECT_FALSE(PlanPreserve(repo_, {path}, aside_).ok()) << path;
  }
}

TEST_F(PreservePathsTest, AnAsideDirectoryThatIsNotOursIsRefused) {
  fs::create_directories(aside_);
  fs::permissions(aside_, fs::perms::owner_all | fs::perms::group_read | fs::perms::others_read);
  Result<PreserveRecord> record = SetAside(repo_, {"node_modules"}, aside_);
  ASSERT_FALSE(record.ok());
  EXPECT_NE(record.error().find("mode 0700"), std::string::npos) << record.error();
  EXPECT_TRUE(fs::exists(Repo("node_modules/left-pad/index.js")));
}

TEST_F(PreservePathsTest, TheRecordSurvivesJson) {
  Result<PreserveRecord> record = SetAside(repo_, {"node_modules", "missing"}, aside_);
  ASSERT_TRUE(record.ok()) << record.error();
  const std::string text = PreserveRecordToJson(*record).dump();
  Result<PreserveRecord> back = PreserveRecordFromJson(nlohmann::json::parse(text));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, *record);
  ASSERT_TRUE(Restore(*back).ok());
  EXPECT_TRUE(fs::exists(Repo("node_modules/left-pad/index.js")));

  nlohmann::json tampered = PreserveRecordToJson(*record);
  tampered["paths"][0]["aside"] = "/etc";
  EXPECT_FALSE(PreserveRecordFromJson(tampered).ok());
  tampered = PreserveRecordToJson(*record);
  tampered["paths"][0]["aside"] = aside_ + "/../../x";
  EXPECT_FALSE(PreserveRecordFromJson(tampered).ok());
  tampered = PreserveRecordToJson(*record);
  tampered["paths"][0]["path"] = "../x";
  EXPECT_FALSE(PreserveRecordFromJson(tampered).ok());
  EXPECT_FALSE(PreserveRecordFromJson(nlohmann::json::array()).ok());
  EXPECT_FALSE(PreserveRecordFromJson(nlohmann::json{{"repo", "/r"}}).ok());
}

TEST(ChooseAsideDirTest, TheStateDirWhenOnTheRepoFilesystemElseTheParent) {
  const std::string id = "20261130T031500Z-1a2b3c4d";
  EXPECT_EQ(*ChooseAsideDir("/srv/app", "/var/lib/upkeep", id, 7, 7, 7),
            "/var/lib/upkeep/preserved/" + id);
  EXPECT_EQ(*ChooseAsideDir("/srv/app", "/var/lib/upkeep", id, 7, 8, 7),
            "/srv/.upkeep-preserved-" + id);
  // The repo is a mount of its own: neither will do.
  const Result<std::string> neither = ChooseAsideDir("/srv/app", "/var/lib/upkeep", id, 7, 8, 9);
  ASSERT_FALSE(neither.ok());
  EXPECT_NE(neither.error().find("renamed within one"), std::string::npos);

  TempDir dir;  // one filesystem: the state dir's branch
  fs::create_directories(dir.path() + "/srv/app");
  fs::create_directories(dir.path() + "/state");
  EXPECT_EQ(*ChooseAsideDir(dir.path() + "/srv/app/", dir.path() + "/state", id),
            dir.path() + "/state/preserved/" + id);
  EXPECT_FALSE(ChooseAsideDir(dir.path() + "/nope", dir.path() + "/state", id).ok());
}

}  // namespace
}  // namespace upkeep
