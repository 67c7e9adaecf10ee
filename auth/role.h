#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace upkeep {

// What a credential may do. `admin` may call everything, `metrics` may only scrape (when
// auth.metrics is `token`).
enum class Role : uint8_t {
  kMetrics = 1,
  kAdmin = 2,
};

// The roles one credential holds (a JWT may carry several).
class RoleSet {
 public:
  constexpr RoleSet() = default;
  constexpr explicit RoleSet(Role role) : bits_(static_cast<uint8_t>(role)) {}

  constexpr void Add(Role role) { bits_ |= static_cast<uint8_t>(role); }
  constexpr bool Has(Role role) const { return (bits_ & static_cast<uint8_t>(role)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  // True when these roles may do what `required` allows: admin satisfies metrics too.
  constexpr bool Satisfies(Role required) const { return Has(Role::kAdmin) || Has(required); }

 private:
  uint8_t bits_ = 0;
};

// "admin" or "metrics"; nullopt for any other text (case-sensitive).
std::optional<Role> ParseRole(std::string_view text);
std::string_view RoleName(Role role);

}  // namespace upkeep
