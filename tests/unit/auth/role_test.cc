#include "auth/role.h"

#include <gtest/gtest.h>

namespace upkeep {
namespace {

TEST(RoleTest, ParsesTheTwoRoleNamesExactly) {
  EXPECT_EQ(ParseRole("admin"), Role::kAdmin);
  EXPECT_EQ(ParseRole("metrics"), Role::kMetrics);
  for (const char* text :
       {"", "Admin", "ADMIN", "admin ", " admin", "metric", "metrics\n", "root", "admin,metrics"}) {
    EXPECT_FALSE(ParseRole(text).has_value()) << '"' << text << '"';
  }
}

TEST(RoleTest, NamesRoundTrip) {
  for (const Role role : {Role::kAdmin, Role::kMetrics}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(RoleName(Role::kAdmin), "admin");
  EXPECT_EQ(RoleName(Role::kMetrics), "metrics");
}

TEST(RoleSetTest, EmptySatisfiesNothing) {
  constexpr RoleSet none;
  static_assert(none.empty());
  EXPECT_FALSE(none.Has(Role::kAdmin));
  EXPECT_FALSE(none.Has(Role::kMetrics));
  EXPECT_FALSE(none.Satisfies(Role::kAdmin));
  EXPECT_FALSE(none.Satisfies(Role::kMetrics));
}

TEST(RoleSetTest, AdminSatisfiesMetricsButNotTheOtherWayRound) {
  constexpr RoleSet admin(Role::kAdmin);
  EXPECT_TRUE(admin.Satisfies(Role::kAdmin));
  EXPECT_TRUE(admin.Satisfies(Role::kMetrics));
  EXPECT_FALSE(admin.Has(Role::kMetrics));  // satisfies, without holding it

  constexpr RoleSet metrics(Role::kMetrics);
  EXPECT_TRUE(metrics.Satisfies(Role::kMetrics));
  EXPECT_FALSE(metrics.Satisfies(Role::kAdmin));
  EXPECT_FALSE(metrics.empty());
}

TEST(RoleSetTest, AddAccumulatesRoles) {
  RoleSet roles;
  roles.Add(Role::kMetrics);
  EXPECT_TRUE(roles.Has(Role::kMetrics));
  EXPECT_FALSE(roles.Satisfies(Role::kAdmin));
  roles.Add(Role::kMetrics);  // adding twice changes nothing
  EXPECT_FALSE(roles.Has(Role::kAdmin));
  roles.Add(Role::kAdmin);
  EXPECT_TRUE(roles.Has(Role::kAdmin));
  EXPECT_TRUE(roles.Has(Role::kMetrics));
  EXPECT_TRUE(roles.Satisfies(Role::kAdmin));
}

}  // namespace
}  // namespace upkeep
