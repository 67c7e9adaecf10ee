#pragma once

#include <span>
#include <string>
#include <string_view>

#include "common/result.h"

namespace upkeep {

// Globs over repo-relative paths with '/' separators (as git names the paths a diff touches),
// for update.steps[].when_changed. A pattern is anchored at the repo root and matched segment by
// segment, case-sensitively:
//   *       any characters within one segment (none included; a leading dot is no exception)
//   ?       one character within one segment
//   [abc]   one of the listed characters; [a-z] a range; [!abc] or [^abc] none of them
//   **      as a whole segment: any number of segments, none included, so "migrations/**"
//           matches "migrations/001.sql" and "migrations/a/b.sql", and "**/package.json"
//           matches "package.json" and "web/package.json"
// Everything else (a backslash too) is a literal character. "package.json" matches only the
// file at the root; "**/package.json" matches it anywhere.
bool GlobMatches(std::string_view pattern, std::string_view path);

// Whether `pattern` is one that a config may give: not empty, relative ("/x" never matches a
// repo-relative path), no empty, "." or ".." segments (they would never match either), "**"
// only as a whole segment, every '[' closed, no control characters.
Status ValidateGlob(std::string_view pattern);

// Whether any of `patterns` matches any of `paths`; false when either is empty.
bool AnyPathMatches(std::span<const std::string> patterns, std::span<const std::string> paths);

}  // namespace upkeep
