#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace upkeep {

// Versions are what `git describe --tags` prints ("v1.4.2", "v1.4.2-3-gabc1234"); with no tag
// behind the commit, its id abbreviated to this many characters.
inline constexpr size_t kAbbreviatedOidLength = 7;

// The version of a commit: `described` when describe found a tag, else the abbreviated id of
// `oid_hex`; "-dirty" appended for a modified working tree (as `git describe --dirty` does).
std::string FormatVersion(std::string_view described, std::string_view oid_hex, bool dirty);

// The changelog answer: at most `limit` of `subjects` (newest first), and when `total` commits
// are missing but fewer are shown, one last entry saying how many more: "... and 12 more
// commits". `total` is every commit the checkout lacks, shown or not.
std::vector<std::string> CapChangelog(std::vector<std::string> subjects, uint64_t total,
                                      size_t limit);

}  // namespace upkeep
