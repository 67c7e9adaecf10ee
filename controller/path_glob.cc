#include "controller/path_glob.h"

#include <cstdint>
#include <vector>

#include "common/text.h"

namespace upkeep {
namespace {

std::vector<std::string_view> Segments(std::string_view text) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (true) {
    const size_t slash = text.find('/', start);
    segments.push_back(text.substr(start, slash - start));
    if (slash == std::string_view::npos) return segments;
    start = slash + 1;
  }
}

// The index just past the ']' closing the class that opens at `open`, or npos when it is never
// closed (then the '[' is a literal). A ']' right after "[", "[!" or "[^" is a member.
size_t ClassEnd(std::string_view pattern, size_t open) {
  size_t i = open + 1;
  if (i < pattern.size() && (pattern[i] == '!' || pattern[i] == '^')) ++i;
  if (i < pattern.size() && pattern[i] == ']') ++i;
  const size_t close = pattern.find(']', i);
  return close == std::string_view::npos ? close : close + 1;
}

bool ClassHas(std::string_view members, char ch) {
  for (size_t i = 0; i < members.size(); ++i) {
    if (i + 2 < members.size() && members[i + 1] == '-') {
      if (members[i] <= ch && ch <= members[i + 2]) return true;
      i += 2;
    } else if (members[i] == ch) {
      return true;
    }
  }
  return false;
}

// Whether the one-character token at pattern[at] (a literal, '?' or a class) matches `ch`;
// `next` is set past the token.
bool TokenMatches(std::string_view pattern, size_t at, char ch, size_t& next) {
  if (pattern[at] == '?') {
    next = at + 1;
    return true;
  }
  if (pattern[at] == '[') {
    if (const size_t end = ClassEnd(pattern, at); end != std::string_view::npos) {
      next = end;
      std::string_view members = pattern.substr(at + 1, end - at - 2);
      const bool negated = members.starts_with('!') || members.starts_with('^');
      if (negated) members.remove_prefix(1);
      return ClassHas(members, ch) != negated;
    }
  }
  next = at + 1;
  return pattern[at] == ch;
}

// One segment against one pattern segment without "**": the usual backtracking over the last
// '*', linear enough for the short names of paths.
bool SegmentMatches(std::string_view pattern, std::string_view name) {
  size_t p = 0;
  size_t n = 0;
  size_t star_p = std::string_view::npos;  // just past the last '*' seen
  size_t star_n = 0;                       // where that '*' started matching
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_n = n;
      continue;
    }
    size_t next = 0;
    if (p < pattern.size() && TokenMatches(pattern, p, name[n], next)) {
      p = next;
      ++n;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    n = ++star_n;  // the '*' takes one more character
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool GlobMatches(std::string_view pattern, std::string_view path) {
  const std::vector<std::string_view> pat = Segments(pattern);
  const std::vector<std::string_view> segs = Segments(path);
  // matches[i][j]: pat[i..] matches segs[j..]; filled from the end, so "**" costs no more than
  // a table of (pattern segments x path segments).
  const size_t columns = segs.size() + 1;
  std::vector<uint8_t> matches((pat.size() + 1) * columns, 0);
  auto at = [&](size_t i, size_t j) -> uint8_t& { return matches[i * columns + j]; };
  at(pat.size(), segs.size()) = 1;
  for (size_t i = pat.size(); i-- > 0;) {
    for (size_t j = segs.size() + 1; j-- > 0;) {
      if (pat[i] == "**") {
        at(i, j) = static_cast<uint8_t>(at(i + 1, j) || (j < segs.size() && at(i, j + 1)));
      } else {
        at(i, j) = static_cast<uint8_t>(j < segs.size() && at(i + 1, j + 1) &&
                                        SegmentMatches(pat[i], segs[j]));
      }
    }
  }
  return at(0, 0) != 0;
}

Status ValidateGlob(std::string_view pattern) {
  if (pattern.empty()) return MakeError("must not be empty");
  for (const char ch : pattern) {
    const auto byte = static_cast<unsigned char>(ch);
    if (byte < ' ' || byte == 0x7f) {
      return MakeError("must not hold control characters, got " + Quote(Printable(pattern)));
    }
  }
  if (pattern.front() == '/') {
    return MakeError(
        "must be relative to the repo root (paths are matched as git names them, "
        "e.g. \"migrations/**\"), got " +
        Quote(pattern));
  }
  for (const std::string_view segment : Segments(pattern)) {
    if (segment.empty()) {
      return MakeError(
          "must not hold an empty segment (\"a//b\", a trailing \"/\"; write "
          "\"dir/**\" for everything under a directory), got " +
          Quote(pattern));
    }
    if (segment == "." || segment == "..") {
      return MakeError("must not hold \".\" or \"..\" segments, got " + Quote(pattern));
    }
    if (segment != "**" && segment.find("**") != std::string_view::npos) {
      return MakeError("\"**\" must be a whole segment (\"**/x\", \"a/**\"), got " +
                       Quote(pattern));
    }
    for (size_t i = 0; i < segment.size(); ++i) {
      if (segment[i] != '[') continue;
      const size_t end = ClassEnd(segment, i);
      if (end == std::string_view::npos) {
        return MakeError("has a '[' that is never closed by ']', got " + Quote(pattern));
      }
      i = end - 1;
    }
  }
  return OkStatus();
}

bool AnyPathMatches(std::span<const std::string> patterns, std::span<const std::string> paths) {
  for (const std::string& pattern : patterns) {
    for (const std::string& path : paths) {
      if (GlobMatches(pattern, path)) return true;
    }
  }
  return false;
}

}  // namespace upkeep
