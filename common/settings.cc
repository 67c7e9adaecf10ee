#include "common/settings.h"

#include <algorithm>

#include "common/duration.h"
#include "common/result.h"
#include "common/text.h"

namespace upkeep {

std::string TableKey(std::string_view key) {
  std::string table_key;
  table_key.reserve(key.size());
  for (size_t i = 0; i < key.size(); ++i) {
    table_key += key[i];
    if (key[i] != '[') continue;
    size_t j = i + 1;
    while (j < key.size() && key[j] >= '0' && key[j] <= '9') ++j;
    if (j < key.size() && key[j] == ']') i = j - 1;  // drop the digits, keep the ']'
  }
  return table_key;
}

const BoundSetting* BoundSettings::Find(std::string_view key) const {
  for (const BoundSetting& setting : settings) {
    if (setting.key == key) return &setting;
  }
  return nullptr;
}

Problem SetDuration(std::chrono::milliseconds& out, std::string_view value,
                    std::chrono::milliseconds min, std::chrono::milliseconds max) {
  const Result<std::chrono::milliseconds> parsed = ParseDuration(value);
  if (!parsed) return parsed.error();
  if (*parsed < min) return "must be at least " + FormatDuration(min) + ", got " + Quote(value);
  if (*parsed > max) return "must be at most " + FormatDuration(max) + ", got " + Quote(value);
  out = *parsed;
  return std::nullopt;
}

Problem SetOneOf(std::string& out, std::string_view value,
                 std::initializer_list<std::string_view> allowed) {
  if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
    std::string list;
    for (const std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
    return "must be one of " + list + ", got " + Quote(value);
  }
  out = value;
  return std::nullopt;
}

Problem SetBool(bool& out, std::string_view value) {
  if (value != "true" && value != "false") return "must be true or false, got " + Quote(value);
  out = value == "true";
  return std::nullopt;
}

Problem SetText(std::string& out, std::string_view value) {
  out = value;
  return std::nullopt;
}

Problem SetNonEmpty(std::string& out, std::string_view value) {
  if (value.empty()) return std::string("must not be empty");
  out = value;
  return std::nullopt;
}

Problem ParseInteger(uint64_t& out, std::string_view value, uint64_t min, uint64_t max,
                     std::string_view note) {
  const std::string range = "must be an integer from " + std::to_string(min) + " to " +
                            std::to_string(max) + std::string(note) + ", got " + Quote(value);
  // 19 digits always fit in 64 bits; a longer number is out of any range we use.
  if (value.empty() || value.size() > 19) return range;
  uint64_t n = 0;
  for (const char ch : value) {
    if (ch < '0' || ch > '9') return range;
    n = n * 10 + static_cast<uint64_t>(ch - '0');
  }
  if (n < min || n > max) return range;
  out = n;
  return std::nullopt;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1] ? 1 : 0)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string DidYouMean(std::string_view wrong, std::span<const std::string_view> candidates) {
  std::string_view best;
  size_t best_distance = 3;  // Suggest only close matches.
  for (const std::string_view candidate : candidates) {
    if (const size_t d = EditDistance(wrong, candidate); d < best_distance) {
      best = candidate;
      best_distance = d;
    }
  }
  return best.empty() ? "" : " (did you mean " + Quote(best) + "?)";
}

}  // namespace upkeep
