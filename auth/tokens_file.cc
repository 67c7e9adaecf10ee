#include "auth/tokens_file.h"

#include <algorithm>
#include <set>

#include "common/text.h"

namespace upkeep {
namespace {

constexpr size_t kMaxNameLength = 64;

bool IsBlank(char ch) { return ch == ' ' || ch == '\t'; }

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    const size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

// For messages: the text, shortened, with anything unprintable shown as '?'.
}  // namespace

bool IsValidTokenName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '.' || ch == '_' || ch == '-' || ch == '@';
  });
}

Result<std::vector<TokenRecord>> ParseTokensFile(std::string_view text) {
  std::vector<TokenRecord> records;
  std::set<std::string, std::less<>> names;
  std::set<Sha256Digest> hashes;
  size_t line_number = 0;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.ends_with('\r')) line.remove_suffix(1);
    const auto fail = [line_number](const std::string& why) {
      return MakeError("line " + std::to_string(line_number) + ": " + why);
    };
    const std::vector<std::string_view> fields = SplitFields(line);
    if (fields.empty() || fields.front().starts_with('#')) continue;
    if (fields.size() != 3) {
      return fail("expected NAME ROLE SHA256, got " + std::to_string(fields.size()) +
                  (fields.size() == 1 ? " field" : " fields"));
    }
    TokenRecord record;
    record.line = line_number;
    if (!IsValidTokenName(fields[0])) {
      return fail("invalid token name \"" + Printable(fields[0], 40) +
                  "\" (1-64 characters of A-Z a-z 0-9 . _ @ -)");
    }
    record.name = fields[0];
    const std::optional<Role> role = ParseRole(fields[1]);
    if (!role) return fail("unknown role \"" + Printable(fields[1], 40) + "\" (admin or metrics)");
    record.role = *role;
    const std::optional<Sha256Digest> hash = ParseSha256Hex(fields[2]);
    if (!hash) return fail("the third field must be a SHA-256 in 64 hex digits");
    record.hash = *hash;
    if (!names.insert(record.name).second) {
      return fail("duplicate token name \"" + record.name + "\"");
    }
    if (!hashes.insert(record.hash).second) {
      return fail("token \"" + record.name + "\" has the same hash as an earlier line");
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::string_view TokensFileHeader() {
  return "# upkeep API tokens, managed with `upkeep token create|list|revoke`.\n"
         "# One token per line: NAME ROLE SHA256-OF-THE-TOKEN. The tokens themselves are not "
         "stored.\n";
}

std::string AppendTokenLine(std::string_view text, const TokenRecord& record) {
  std::string out(text);
  if (!out.empty() && !out.ends_with('\n')) out.push_back('\n');
  out += record.name;
  out.push_back(' ');
  out += RoleName(record.role);
  out.push_back(' ');
  out += Sha256Hex(record.hash);
  out.push_back('\n');
  return out;
}

std::string RemoveLine(std::string_view text, size_t line) {
  size_t start = 0;
  for (size_t n = 1; n < line && start < text.size(); ++n) {
    const size_t newline = text.find('\n', start);
    if (newline == std::string_view::npos) return std::string(text);
    start = newline + 1;
  }
  if (start >= text.size()) return std::string(text);
  const size_t newline = text.find('\n', start);
  const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
  std::string out(text.substr(0, start));
  out.append(text.substr(end));
  return out;
}

}  // namespace upkeep
