#include "controller/git_user.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "tests/support/daemon_process.h"

namespace upkeep {
namespace {

constexpr uid_t kNobody = 65534;  // Debian's nobody

CheckError Refused(const std::string& repo, const std::string& user, CheckErrorKind kind) {
  CheckResult<std::optional<RunAs>> resolved = ResolveGitUser(repo, user);
  EXPECT_FALSE(resolved.ok());
  if (resolved.ok()) return {};
  EXPECT_EQ(resolved.error().kind, kind) << resolved.error().message;
  return resolved.error();
}

TEST(ResolveGitUserTest, ARootOwnedRepositoryNeedsRootWrittenOut) {
  // "/" belongs to root on every machine the tests run on.
  const CheckError error = Refused("/", "", CheckErrorKind::kRepoPermission);
  EXPECT_NE(error.message.find("owned by root"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("update.user: root"), std::string::npos) << error.message;
}

TEST(ResolveGitUserTest, AMissingRepositoryHasNoOwner) {
  testing::TempDir dir;
  const CheckError error =
      Refused(dir.path() + "/no-such-checkout", "", CheckErrorKind::kRepoUnavailable);
  EXPECT_NE(error.message.find("no-such-checkout"), std::string::npos) << error.message;
}

TEST(ResolveGitUserTest, AnUnknownUserIsRefused) {
  testing::TempDir dir;
  const CheckError error =
      Refused(dir.path(), "no-such-user-upkeep", CheckErrorKind::kRepoPermission);
  EXPECT_NE(error.message.find("no-such-user-upkeep"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find(dir.path()), std::string::npos) << error.message;
}

TEST(ResolveGitUserTest, OurOwnUserByNameOrNumber) {
  testing::TempDir dir;
  for (const std::string& user : {std::to_string(::geteuid()), std::string("root")}) {
    if (user == "root" && ::geteuid() != 0) continue;
    CheckResult<std::optional<RunAs>> resolved = ResolveGitUser(dir.path(), user);
    ASSERT_TRUE(resolved.ok()) << resolved.error().message;
    if (::geteuid() == 0) {
      ASSERT_TRUE(resolved->has_value());  // root switches, even to itself: the groups are set
      EXPECT_EQ((*resolved)->uid, 0u);
      EXPECT_EQ((*resolved)->name, "root");
    } else {
      EXPECT_FALSE(resolved->has_value());  // already that user: no switch
    }
  }
}

TEST(ResolveGitUserTest, AnotherUserNamedOrAsTheOwner) {
  testing::TempDir dir;
  if (::geteuid() != 0) {
    // A daemon that is not root runs git only as itself.
    const CheckError error = Refused(dir.path(), "nobody", CheckErrorKind::kRepoPermission);
    EXPECT_NE(error.message.find("run upkeep as that user, or as root"), std::string::npos)
        << error.message;
    return;
  }
  CheckResult<std::optional<RunAs>> named = ResolveGitUser(dir.path(), "nobody");
  ASSERT_TRUE(named.ok()) << named.error().message;
  ASSERT_TRUE(named->has_value());
  EXPECT_EQ((*named)->uid, kNobody);

  // "": the owner of the checkout.
  ASSERT_EQ(::chown(dir.path().c_str(), kNobody, kNobody), 0);
  CheckResult<std::optional<RunAs>> owner = ResolveGitUser(dir.path(), "");
  ASSERT_TRUE(owner.ok()) << owner.error().message;
  ASSERT_TRUE(owner->has_value());
  EXPECT_EQ((*owner)->uid, kNobody);
  EXPECT_EQ((*owner)->name, "nobody");
}

}  // namespace
}  // namespace upkeep
