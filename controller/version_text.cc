#include "controller/version_text.h"

namespace upkeep {

std::string FormatVersion(std::string_view described, std::string_view oid_hex, bool dirty) {
  std::string version = described.empty() ? std::string(oid_hex.substr(0, kAbbreviatedOidLength))
                                          : std::string(described);
  if (dirty) version += "-dirty";
  return version;
}

std::vector<std::string> CapChangelog(std::vector<std::string> subjects, uint64_t total,
                                      size_t limit) {
  if (subjects.size() > limit) subjects.resize(limit);
  const uint64_t shown = subjects.size();
  if (total > shown) {
    const uint64_t more = total - shown;
    subjects.push_back("... and " + std::to_string(more) +
                       (more == 1 ? " more commit" : " more commits"));
  }
  return subjects;
}

}  // namespace upkeep
