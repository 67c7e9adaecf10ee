#include "controller/path_glob.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace upkeep {
namespace {

struct Case {
  const char* pattern;
  const char* path;
  bool matches;
};

void ExpectCases(std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    EXPECT_EQ(GlobMatches(c.pattern, c.path), c.matches)
        << "pattern " << c.pattern << " path " << c.path;
  }
}

TEST(PathGlobTest, LiteralsAreAnchoredAtTheRoot) {
  ExpectCases({
      {"package.json", "package.json", true},
      {"package.json", "web/package.json", false},
      {"package.json", "package.json.bak", false},
      {"package.json", "package.jso", false},
      {"package.json", "Package.json", false},  // case-sensitive, as git is
      {"web/package.json", "web/package.json", true},
      {"web/package.json", "package.json", false},
      {"web", "web/package.json", false},  // a directory name alone is not its contents
      {"a\\b", "a\\b", true},              // a backslash is a literal
  });
}

TEST(PathGlobTest, StarAndQuestionMarkStayInOneSegment) {
  ExpectCases({
      {"*.json", "package.json", true},
      {"*.json", ".json", true},
      {"*.json", "web/package.json", false},
      {"*", "README", true},
      {"*", ".env", true},  // no special rule for dot files
      {"*", "a/b", false},
      {"src/*.ts", "src/index.ts", true},
      {"src/*.ts", "src/lib/index.ts", false},
      {"src/*", "src", false},
      {"*/*.sql", "migrations/001.sql", true},
      {"migrations/0??_*.sql", "migrations/001_init.sql", true},
      {"migrations/0??_*.sql", "migrations/01_init.sql", false},
      {"a*b*c", "abc", true},
      {"a*b*c", "aXbYc", true},
      {"a*b*c", "aXbYcZ", false},
      {"a*b*c", "abcbc", true},
      {"*a*", "bab", true},
      {"***", "anything", true},  // stars within a segment act as one (ValidateGlob refuses it)
      {"a**", "abc", true},
      {"?", "", false},
      {"?", "ab", false},
      {"*", "", true},
  });
}

TEST(PathGlobTest, DoubleStarSpansAnyNumberOfSegmentsIncludingNone) {
  ExpectCases({
      {"migrations/**", "migrations/001.sql", true},
      {"migrations/**", "migrations/a/b.sql", true},
      {"migrations/**", "migrations", true},  // none (a submodule's path shows like this)
      {"migrations/**", "migrationsX/001.sql", false},
      {"migrations/**", "db/migrations/001.sql", false},
      {"**/package.json", "package.json", true},
      {"**/package.json", "x/package.json", true},
      {"**/package.json", "x/y/z/package.json", true},
      {"**/package.json", "x/package.json.orig", false},
      {"**", "a", true},
      {"**", "a/b/c", true},
      {"src/**/*.ts", "src/a.ts", true},
      {"src/**/*.ts", "src/a/b/c.ts", true},
      {"src/**/*.ts", "src/a/b/c.js", false},
      {"src/**/*.ts", "lib/a.ts", false},
      {"**/test/**", "test/x", true},
      {"**/test/**", "a/b/test/c/d", true},
      {"**/test/**", "a/testing/c", false},
      {"**/**/x", "x", true},
      {"a/**/b/**/c", "a/b/c", true},
      {"a/**/b/**/c", "a/1/2/b/3/c", true},
      {"a/**/b/**/c", "a/1/2/3/c", false},
  });
}

TEST(PathGlobTest, CharacterClasses) {
  ExpectCases({
      {"[abc].txt", "a.txt", true},
      {"[abc].txt", "d.txt", false},
      {"v[0-9].sql", "v7.sql", true},
      {"v[0-9].sql", "vx.sql", false},
      {"v[0-9a-f]", "vc", true},
      {"v[!0-9]", "vx", true},
      {"v[!0-9]", "v1", false},
      {"v[^0-9]", "v1", false},
      {"[]]", "]", true},  // a ']' first in the class is a member
      {"[!]]", "a", true},
      {"[-a]", "-", true},
      {"x[", "x[", true},  // never closed: a literal (ValidateGlob refuses it)
      {"[*]", "*", true},
      {"[*]", "a", false},
      {"*[0-9]", "abc7", true},
      {"*[0-9]", "abc", false},
  });
}

TEST(PathGlobTest, LongPathsAndPatternsStayCheap) {
  std::string path;
  std::string pattern;
  for (int i = 0; i < 60; ++i) {
    path += (i ? "/" : "") + std::string("dir") + std::to_string(i);
    pattern += (i ? "/" : "") + std::string("**");
  }
  EXPECT_TRUE(GlobMatches(pattern, path));
  EXPECT_FALSE(GlobMatches(pattern + "/nope", path));
  EXPECT_FALSE(GlobMatches(std::string(200, '*') + "b", std::string(500, 'a')));
}

TEST(PathGlobTest, ValidPatterns) {
  for (const char* good : {"package.json", "package-lock.json", "migrations/**", "**/package.json",
                           "src/**/*.ts", "v[0-9].sql", "[!.]*", "a b/c", ".env", "**"}) {
    SCOPED_TRACE(good);
    EXPECT_TRUE(ValidateGlob(good).ok()) << ValidateGlob(good).error();
  }
}

TEST(PathGlobTest, RefusedPatterns) {
  struct Bad {
    const char* pattern;
    const char* message;
  };
  for (const Bad& bad : std::initializer_list<Bad>{
           {"", "must not be empty"},
           {"/etc/passwd",
            "must be relative to the repo root (paths are matched as git names "
            "them, e.g. \"migrations/**\"), got \"/etc/passwd\""},
           {"../x", "must not hold \".\" or \"..\" segments, got \"../x\""},
           {"a/../b", "must not hold \".\" or \"..\" segments, got \"a/../b\""},
           {"./package.json", "must not hold \".\" or \"..\" segments, got \"./package.json\""},
           {"migrations/",
            "must not hold an empty segment (\"a//b\", a trailing \"/\"; write "
            "\"dir/**\" for everything under a directory), got \"migrations/\""},
           {"a//b", "must not hold an empty segment"},
           {"a**", "\"**\" must be a whole segment (\"**/x\", \"a/**\"), got \"a**\""},
           {"**.json", "\"**\" must be a whole segment"},
           {"x[", "has a '[' that is never closed by ']', got \"x[\""},
           {"[a/b]", "has a '[' that is never closed by ']'"},
           {"a\tb", "must not hold control characters, got \"a?b\""},
       }) {
    SCOPED_TRACE(bad.pattern);
    const Status status = ValidateGlob(bad.pattern);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().rfind(bad.message, 0), 0u) << status.error();
  }
}

TEST(PathGlobTest, AnyPathMatches) {
  const std::vector<std::string> patterns = {"package.json", "package-lock.json"};
  EXPECT_TRUE(AnyPathMatches(patterns, std::vector<std::string>{"README.md", "package.json"}));
  EXPECT_FALSE(AnyPathMatches(patterns, std::vector<std::string>{"README.md", "web/package.json"}));
  EXPECT_FALSE(AnyPathMatches(patterns, {}));
  EXPECT_FALSE(AnyPathMatches({}, std::vector<std::string>{"package.json"}));
  const std::vector<std::string> migrations = {"migrations/**"};
  EXPECT_TRUE(AnyPathMatches(migrations, std::vector<std::string>{"migrations/002_add.sql"}));
  EXPECT_FALSE(AnyPathMatches(migrations, std::vector<std::string>{"src/migrate.js"}));
}

}  // namespace
}  // namespace upkeep
