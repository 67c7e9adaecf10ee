#include "auth/role.h"

namespace upkeep {

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "admin") return Role::kAdmin;
  if (text == "metrics") return Role::kMetrics;
  return std::nullopt;
}

std::string_view RoleName(Role role) { return role == Role::kAdmin ? "admin" : "metrics"; }

}  // namespace upkeep
